"""Use cases: workflow definitions, runs, and the Task states' work."""

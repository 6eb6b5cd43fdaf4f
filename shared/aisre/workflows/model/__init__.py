"""Pure: workflow definitions, their validation, the ASL compiler, and what a run's history says."""

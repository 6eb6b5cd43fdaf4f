"""core.table."""

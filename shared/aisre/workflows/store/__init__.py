"""Workflows and their runs in the single table."""

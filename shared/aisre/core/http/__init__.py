"""core.http."""

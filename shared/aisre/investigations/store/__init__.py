"""investigations.store."""

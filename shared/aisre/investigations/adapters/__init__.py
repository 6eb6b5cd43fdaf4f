"""investigations.adapters."""

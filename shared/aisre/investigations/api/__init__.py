"""investigations.api."""

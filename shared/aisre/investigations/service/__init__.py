"""investigations.service."""

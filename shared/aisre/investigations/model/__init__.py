"""investigations.model."""

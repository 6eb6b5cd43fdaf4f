"""alerts.model."""

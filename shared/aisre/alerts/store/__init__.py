"""alerts.store."""

"""alerts.api."""

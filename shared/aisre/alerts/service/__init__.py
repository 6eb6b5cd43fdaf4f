"""alerts.service."""

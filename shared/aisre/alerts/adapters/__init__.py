"""alerts.adapters."""

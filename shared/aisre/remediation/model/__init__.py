"""remediation.model."""

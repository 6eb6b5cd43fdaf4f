"""remediation.adapters."""

"""The remediation's outside inputs: the runbook catalog's YAML files."""

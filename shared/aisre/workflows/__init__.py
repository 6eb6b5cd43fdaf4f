"""Workflows: multi-step remediation as Step Functions state machines (built-in and user-defined)."""

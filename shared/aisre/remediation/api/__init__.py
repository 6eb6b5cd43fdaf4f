"""The remediation's routes: /actions/execute and /approvals."""

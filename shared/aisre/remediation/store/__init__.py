"""The remediation's records in the single table (executions, rate-limit slots, approvals) and their stores."""

"""The remediation's use cases: carrying out actions (ActionService) and deciding approvals (ApprovalService)."""

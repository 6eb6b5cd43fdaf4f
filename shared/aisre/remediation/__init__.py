"""Remediation: the action catalog, the policy that judges actions, proposals from findings, the runbook catalog."""

"""The remediation's pure model: actions, policy, proposals, runbooks and their matching."""

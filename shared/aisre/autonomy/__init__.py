"""Autonomy (seed 001 /autonomy/*): cycles that carry out open incidents' diagnosed suggestions, within narrow limits
(an allow-list of actions and namespaces, the policy, a dry run by default), as the principal `autonomy`."""

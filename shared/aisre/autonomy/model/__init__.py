"""Autonomy's pure parts: its configuration, what a cycle may act on, and what it decided."""

"""Insights: what the platform adds up to (pilot metrics, analytics, the overview and the adapters' list), read-only."""

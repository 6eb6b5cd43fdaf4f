"""Autonomy's use case: one cycle over open incidents' diagnoses."""

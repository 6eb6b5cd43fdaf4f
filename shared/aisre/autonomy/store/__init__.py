"""Autonomy's records in the single table: what it decided for each suggestion of an incident."""

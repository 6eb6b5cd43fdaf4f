"""Autonomy's routes: /autonomy/status and /autonomy/run."""

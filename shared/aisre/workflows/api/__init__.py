"""The workflow routes (seed 001 and seed 002)."""

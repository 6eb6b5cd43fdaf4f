"""The investigations' routes: start and follow investigations, diagnoses, similar incidents, HolmesGPT's API."""

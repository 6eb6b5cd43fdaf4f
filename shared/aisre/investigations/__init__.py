"""Investigations: evidence gathered with read-only tools, the deterministic analyzer, the LLM agent, similar
incidents, the HolmesGPT-compatible API, evaluation.
"""

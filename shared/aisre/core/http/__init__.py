"""HTTP plumbing every endpoint group shares: request dependencies (caller, workspace), the error mapping,
middleware, /health and /metrics.
"""

"""Routes: /adapters, /platform/overview, /metrics/export and seed 002's /api/v1/analytics."""

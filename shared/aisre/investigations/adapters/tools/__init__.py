"""Other read-only tools (Prometheus, Loki, CloudWatch Logs), their composition, and replayed recordings."""

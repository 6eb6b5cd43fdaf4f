"""The incidents' use cases: ingest (dedup, correlation), the lifecycle, deploys."""

"""HTTP API: FastAPI routers per endpoint group, auth, error mapping, and create_app(groups)."""

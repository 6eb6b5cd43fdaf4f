"""The local server's app: every endpoint group in one process (uvicorn factory)."""

from __future__ import annotations

from fastapi import FastAPI

from aisre.api.app import ALL_GROUPS, create_app
from aisre.local.access_log import AccessLog


def create_local_app() -> FastAPI:
    """Every group, with the access log outermost so that its time covers the whole request."""
    app = create_app(ALL_GROUPS)
    app.add_middleware(AccessLog)
    return app

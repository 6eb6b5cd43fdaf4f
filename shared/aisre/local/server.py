"""The local server's app: every endpoint group in one process (uvicorn factory)."""

from __future__ import annotations

from fastapi import FastAPI

from aisre.api.app import ALL_GROUPS, create_app


def create_local_app() -> FastAPI:
    return create_app(ALL_GROUPS)

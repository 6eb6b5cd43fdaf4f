"""The local server's app: every endpoint group in one process (uvicorn factory)."""

from __future__ import annotations

from fastapi import FastAPI

from aisre.app import ALL_GROUPS, create_app
from aisre.local.access_log import log_request
from aisre.local.intake_pressure import intake_meter


def create_local_app() -> FastAPI:
    """Every group, each request written to the access log and alert arrivals counted (intake_pressure.py)."""
    return create_app(ALL_GROUPS, request_observers=[log_request, intake_meter.observe])

"""The local server's app: every endpoint group in one process (uvicorn factory)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from aisre.app import ALL_GROUPS, create_app
from aisre.local.access_log import log_request
from aisre.local.intake_pressure import intake_meter
from aisre.local.live_socket import router as live_socket_router
from aisre.local.shutdown import AnswerWhileStopping


def create_local_app() -> FastAPI:
    """Every group, each request written to the access log and alert arrivals counted (intake_pressure.py); a
    request cut short by a shutdown answered 503; the live events' WebSocket API emulated (live_socket.py)."""
    app = create_app(ALL_GROUPS, request_observers=[log_request, intake_meter.observe])
    app.include_router(live_socket_router)
    # Innermost of the middleware (Starlette builds user_middleware outermost first), so that the access log and
    # the metrics record the 503 it answers.
    app.user_middleware.append(Middleware(AnswerWhileStopping))
    return app

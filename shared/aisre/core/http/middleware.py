"""Pure ASGI middleware (cheaper per request than Starlette's BaseHTTPMiddleware): body size limit, timing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aisre.core.http.errors import error_body
from aisre.core.observability import metrics


class BodySizeLimit:
    """413 for a body over the limit, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(send)
                return
        seen = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        message = f"request body is larger than {self.max_bytes} bytes"
        payload = json.dumps(error_body("PayloadTooLargeError", message, "body")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class _TooLarge(Exception):
    pass


# Told of every finished request: its ASGI scope, the status the client saw, and how long it took.
RequestObserver = Callable[[Scope, int, float], None]


class RequestMetrics:
    """Request latency by route template (not raw path, so ids do not explode the label set), and each
    finished request handed to `observers` (the local server's access log), timed once for both."""

    def __init__(self, app: ASGIApp, observers: Sequence[RequestObserver] = ()):
        self.app = app
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_holder: dict[str, Any] = {"status": 500}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            metrics.request_observed(scope["method"], template, status_holder["status"], seconds)
            for observe in self.observers:
                observe(scope, status_holder["status"], seconds)

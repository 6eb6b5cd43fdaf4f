"""`aisre serve` stops on SIGTERM or Ctrl-C within seconds, whatever is in flight.

uvicorn catches both signals while it serves: it stops accepting, waits for the requests in flight (at most
GRACEFUL_SHUTDOWN_SECONDS, its timeout_graceful_shutdown), then restores the handlers it found and raises the
signal again. The handler installed here is what it finds: it stops the stack (supervisor, pollers, the
emulator, which syncs its journal) and leaves with os._exit. Not a normal exit: a request still running in a
worker thread (a 1,000-alert payload, say) would hold that up until it finished, since Python waits for
non-daemon threads and anyio's are. Its client gets no answer, so nothing unfinished is acknowledged: the
sender retries, and what it already wrote is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aisre.core.http.errors import RETRY_AFTER_SECONDS, error_body

GRACEFUL_SHUTDOWN_SECONDS = 3
STOP_SECONDS = 5.0  # for the stack's own stop; past it, leave anyway (the emulator exits when we do)


def stop_on_signals(stop: Callable[[], None]) -> None:
    """On SIGTERM or SIGINT (before uvicorn serves, or after it has shut down): `stop()`, then exit."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        print(f"aisre: {signal.Signals(signum).name}: stopping", flush=True)
        watchdog = threading.Timer(STOP_SECONDS, _leave, (1,))
        watchdog.daemon = True
        watchdog.start()
        try:
            stop()
        finally:
            _leave(0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handle)


def _leave(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe: nothing more to say
            stream.flush()
    os._exit(code)


class AnswerWhileStopping:
    """ASGI middleware: a request that the server's shutdown cuts short (uvicorn cancels what is still running
    after GRACEFUL_SHUTDOWN_SECONDS) is answered 503 with Retry-After, "retry", instead of uvicorn's bare 500:
    nothing it did is acknowledged, and what it wrote is kept, so the sender's retry is the right move."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except asyncio.CancelledError:
            if started:
                raise
            # The task was cancelled once, by the shutdown; answering is its last act (not raising again keeps
            # uvicorn from logging a crash and answering 500 itself).
            message = "the server is stopping; nothing was acknowledged, retry"
            body = json.dumps(error_body("ServerStoppingError", message)).encode()
            headers = [(b"content-type", b"application/json"), (b"retry-after", RETRY_AFTER_SECONDS.encode())]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})

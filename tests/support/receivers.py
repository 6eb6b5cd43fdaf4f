"""A loopback HTTP receiver for tests of what the platform sends out (Slack, Teams, PagerDuty, Opsgenie, Telegram,
outgoing webhooks): it records every request (method, path, query, headers, raw body) and answers from a script,
one scripted Answer per request in order, then a `respond` function's, then the default.

    with Receiver(Answer(500), Answer(200, {"ok": True})) as receiver:
        ...send to receiver.url("/hook")...
        first, second = receiver.wait_for(2)
        assert second.json()["text"] == ...

An Answer can be delayed (a slow receiver), carry headers (Retry-After), any body (JSON for a dict or list, bytes
and str as they are: garbage too), or be `raw` bytes that are not HTTP at all.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

Body = bytes | str | Mapping[str, Any] | list[Any] | None


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: Body = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    raw: bytes | None = None  # written as is instead of an HTTP response, then the connection is closed

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if self.body is None:
            return b"", headers
        if isinstance(self.body, bytes):
            return self.body, headers
        if isinstance(self.body, str):
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            return self.body.encode("utf-8"), headers
        headers.setdefault("Content-Type", "application/json")
        return json.dumps(self.body).encode("utf-8"), headers


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Responder = Callable[[Received], Answer]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a delayed answer leaves a broken pipe: expected here, not worth a traceback.
        return


class Receiver:
    """Threaded http.server on 127.0.0.1 (a free port). Thread-safe; reusable across tests with `reset`."""

    def __init__(self, *answers: Answer, respond: Responder | None = None, default: Answer | None = None) -> None:
        self._lock = threading.Condition()
        self._script: deque[Answer] = deque(answers)
        self._respond = respond
        self._default = default or Answer(200, {"ok": True})
        self._received: list[Received] = []
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> Receiver:
        if self._server is None:
            self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
            self._thread = threading.Thread(target=self._server.serve_forever, name="receiver", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the receiver is not started"
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path if path.startswith('/') else '/' + path}"

    # -- script and record ---------------------------------------------------------------------------------

    def script(self, *answers: Answer, respond: Responder | None = None) -> None:
        """Answer the next requests with `answers`, then with `respond`'s (kept when None), then the default."""
        with self._lock:
            self._script = deque(answers)
            if respond is not None:
                self._respond = respond

    def reset(self, *answers: Answer, respond: Responder | None = None) -> None:
        """Forget what was received and script afresh (`respond` replaced, even by None)."""
        with self._lock:
            self._received.clear()
            self._script = deque(answers)
            self._respond = respond

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The first `count` requests, once that many arrived; AssertionError naming what came after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} requests, received {len(self._received)}")
                self._lock.wait(left)
            return list(self._received[:count])

    def _next_answer(self, received: Received) -> Answer:
        with self._lock:
            self._received.append(received)
            self._lock.notify_all()
            if self._script:
                return self._script.popleft()
            respond = self._respond
        return respond(received) if respond is not None else self._default

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=body,
                )
                answer = receiver._next_answer(received)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.raw is not None:
                    self.wfile.write(answer.raw)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                content, headers = answer.encoded()
                self.send_response(answer.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def json_bodies(requests: Iterable[Received]) -> list[Any]:
    return [request.json() for request in requests]

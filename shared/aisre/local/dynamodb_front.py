"""The emulator's DynamoDB port: an event loop with httptools' C parser in front of moto's DynamoDB handler.

moto's server is werkzeug's development server: a thread per connection and a request parser in pure
Python, about a third of the emulator's time per DynamoDB call, plus the cost of threads taking turns
at the GIL. DynamoDB is the platform's hot path (every alert is one or two calls), and moto serves its
requests one at a time anyway, so this port serves them on one event loop, each handled as soon as it
has fully arrived and answered with a single write (status, headers and body together: one wake-up of
the reader instead of two). Both ports serve the same in-memory backend; the local stack points
DynamoDB clients here (AWS_ENDPOINT_URL_DYNAMODB) and everything else at moto's own port, which also
still answers DynamoDB.
"""

from __future__ import annotations

import asyncio
import io
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import httptools

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_NOT_DYNAMODB = b'{"__type":"UnknownOperationException","message":"this port serves DynamoDB only"}'
_JSON = "application/x-amz-json-1.0"


def wsgi_environ(
    method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes, server: tuple[str, int]
) -> dict[str, Any]:
    """The WSGI environ of one request (PEP 3333's keys, as werkzeug's server fills them)."""
    raw_target = target.decode("latin-1")
    path, _, query = raw_target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path or "/",
        "QUERY_STRING": query,
        "RAW_URI": raw_target,
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in headers:
        key = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def answer(dynamodb: WsgiApp, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) for one request: DynamoDB's from `dynamodb`, a 400 for anything else."""
    if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        # Other services' long polls would stall the loop: they belong on moto's own port.
        return 400, [("Content-Type", _JSON)], _NOT_DYNAMODB
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [int(status.split(" ", 1)[0]), headers]
        return None

    body = b"".join(dynamodb(environ, start_response))
    status, headers = started
    return status, headers, body


def encode_response(status: int, headers: list[tuple[str, str]], body: bytes, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    for name, value in headers:
        if name.lower() not in ("content-length", "connection", "transfer-encoding"):
            lines.append(f"{name}: {value}")
    lines.append(f"Content-Length: {len(body)}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    """One client connection: httptools calls the on_* methods as a request's parts arrive."""

    def __init__(self, dynamodb: WsgiApp, server: tuple[str, int]) -> None:
        self._dynamodb = dynamodb
        self._server = server
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._target = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []

    def connection_made(self, transport: Any) -> None:
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._send(encode_response(400, [("Content-Type", "text/plain")], b"malformed request", False), True)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self._target, self._headers, self._body = b"", [], []

    def on_url(self, url: bytes) -> None:
        self._target += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        method = self._parser.get_method().decode("latin-1")
        environ = wsgi_environ(method, self._target, self._headers, b"".join(self._body), self._server)
        keep_alive = self._parser.should_keep_alive()
        try:
            status, headers, body = answer(self._dynamodb, environ)
        except Exception as error:  # the emulator's own fault: say so, as werkzeug's server would
            status, headers, body = 500, [("Content-Type", "text/plain")], f"emulator error: {error!r}".encode()
        self._send(encode_response(status, headers, body, keep_alive), not keep_alive)

    def _send(self, payload: bytes, close: bool) -> None:
        assert self._transport is not None
        self._transport.write(payload)
        if close:
            self._transport.close()


def start(host: str, dynamodb: WsgiApp, port: int = 0) -> int:
    """Serve `dynamodb` on host:port (0: any free port) from a daemon thread; return the port once it listens."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(128)
    address: tuple[str, int] = listener.getsockname()[:2]
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        loop = _new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(loop.create_server(lambda: _Connection(dynamodb, address), sock=listener))
        except BaseException as error:
            failure.append(error)
            ready.set()
            return
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, name="dynamodb-front", daemon=True).start()
    deadline = time.monotonic() + 30
    if not ready.wait(max(0.0, deadline - time.monotonic())) or failure:
        raise RuntimeError(f"the emulator's DynamoDB port did not start: {failure[0] if failure else 'timeout'}")
    return address[1]


def _new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # uvloop is an optional speed-up (it does not build everywhere)
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop

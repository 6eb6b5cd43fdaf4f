"""The emulator's DynamoDB port: uvicorn (httptools) in front of moto's DynamoDB handler.

moto's server is werkzeug's development server: a thread per connection and a request parser in pure
Python, about a third of the emulator's time per DynamoDB call, plus the cost of threads taking turns
at the GIL. DynamoDB is the platform's hot path (every alert is one or two calls), and moto serves its
requests one at a time anyway, so this port serves them on one event loop: uvicorn parses HTTP in C and
the handler runs right there, with no thread hand-offs. Both ports serve the same in-memory backend;
the local stack points DynamoDB clients here (AWS_ENDPOINT_URL_DYNAMODB) and everything else at moto's
own port, which also still answers DynamoDB.
"""

from __future__ import annotations

import io
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_NOT_DYNAMODB = b'{"__type":"UnknownOperationException","message":"this port serves DynamoDB only"}'


def wsgi_environ(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP request (PEP 3333's keys, as werkzeug's server fills them)."""
    host, port = scope.get("server") or ("127.0.0.1", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"],
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "RAW_URI": (scope.get("raw_path") or scope["path"].encode()).decode("latin-1"),
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        key = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def asgi_app(dynamodb: WsgiApp) -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    """An ASGI app calling the WSGI app `dynamodb` in the event loop's own thread, for DynamoDB requests only."""

    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; nothing else is served
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        environ = wsgi_environ(scope, b"".join(chunks))
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            # Other services' long polls would stall the loop: they belong on moto's own port.
            await _respond(send, 400, [("Content-Type", "application/x-amz-json-1.0")], _NOT_DYNAMODB)
            return
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [int(status.split(" ", 1)[0]), headers]
            return None

        payload = b"".join(dynamodb(environ, start_response))
        status, headers = started
        await _respond(send, status, headers, payload)

    return app


async def _respond(send: Send, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
    encoded = [
        (name.lower().encode("latin-1"), str(value).encode("latin-1"))
        for name, value in headers
        if name.lower() not in ("content-length", "connection", "transfer-encoding")
    ]
    encoded.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": encoded})
    await send({"type": "http.response.body", "body": payload})


def start(host: str, dynamodb: WsgiApp) -> int:
    """Serve `dynamodb` on host (any free port) from a daemon thread; return the port once it listens."""
    import uvicorn

    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    port: int = listener.getsockname()[1]
    config = uvicorn.Config(
        asgi_app(dynamodb),
        lifespan="off",
        log_level="warning",
        access_log=False,
        # SDK clients keep their connections for the life of the process; do not make them reconnect.
        timeout_keep_alive=600,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="dynamodb-front", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the emulator's DynamoDB port did not start")
        time.sleep(0.01)
    return port

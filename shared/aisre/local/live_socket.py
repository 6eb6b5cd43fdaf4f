"""The live events' WebSocket API, emulated by the local server: `WS /ws` and API Gateway's management API.

`WS /ws` gives each connection an id and calls LiveSocketFunction's handler in-process, off the event loop, with
the event API Gateway's WebSocket API sends ($connect, each message on $default, $disconnect); a message's answer
(the route's response body) goes back on the socket. `POST/GET/DELETE /@connections/{id}` is the management API
that boto3's `apigatewaymanagementapi` client calls (LIVE_CONNECTIONS_ENDPOINT=http://127.0.0.1:<port>): the fan-out
and the socket function send to a connection, or close it, through it. Only loopback may call it, and it is in no
API document.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from aisre.local.functions import Handler, context_factory, load_handler

logger = logging.getLogger(__name__)

SOCKET_FUNCTION = "LiveSocketFunction"
STAGE = "local"
_LOOPBACK_HOSTS = ("127.", "::1", "::ffff:127.", "localhost")
# API Gateway's frame limit; a bigger message is refused as API Gateway does (close code 1009).
MAX_FRAME_BYTES = 32 * 1024

router = APIRouter(include_in_schema=False)


@dataclass
class _Socket:
    websocket: WebSocket
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    closed: bool = False

    async def send(self, text: str) -> bool:
        async with self.send_lock:
            if self.closed:
                return False
            try:
                await self.websocket.send_text(text)
            except Exception:  # the peer went away meanwhile
                self.closed = True
                return False
            return True

    async def close(self, code: int = 1000) -> None:
        async with self.send_lock:
            if self.closed:
                return
            self.closed = True
            with contextlib.suppress(Exception):
                await self.websocket.close(code)


_sockets: dict[str, _Socket] = {}


_function: tuple[Handler, Callable[[], Any]] | None = None


def use_function(handler: Handler, new_context: Callable[[], Any]) -> None:
    """The socket function's handler as the local stack loaded it (`LocalStack.serve_live_events`)."""
    global _function
    _function = (handler, new_context)


def _socket_function() -> tuple[Handler, Callable[[], Any]]:
    """LiveSocketFunction's handler: the stack's, else as the template in the working directory's project names it."""
    global _function
    if _function is None:
        from aisre.local.stack import find_project_root
        from aisre.local.template import load_template

        root = find_project_root()
        spec = (load_template(root / "template.yaml").get("Resources") or {})[SOCKET_FUNCTION]["Properties"]
        name = f"aisre-local-{SOCKET_FUNCTION}"
        arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        _function = load_handler(root, str(spec["CodeUri"]), str(spec["Handler"])), context_factory(name, arn, 256, 10)
    return _function


def _event(route: str, kind: str, connection_id: str, websocket: WebSocket, body: str | None = None) -> dict[str, Any]:
    """The event API Gateway's WebSocket API sends for a route."""
    now_ms = int(time.time() * 1000)
    socket = _sockets.get(connection_id)
    context: dict[str, Any] = {
        "routeKey": route,
        "eventType": kind,
        "connectionId": connection_id,
        "domainName": websocket.headers.get("host", "127.0.0.1"),
        "stage": STAGE,
        "apiId": "local",
        "requestId": uuid.uuid4().hex,
        "extendedRequestId": uuid.uuid4().hex,
        "requestTimeEpoch": now_ms,
        "connectedAt": int((socket.connected_at if socket else time.time()) * 1000),
        "messageDirection": "IN",
        "identity": {"sourceIp": websocket.client.host if websocket.client else "127.0.0.1"},
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
    if kind == "CONNECT":
        event["headers"] = dict(websocket.headers)
        event["queryStringParameters"] = dict(websocket.query_params) or None
    if kind == "MESSAGE":
        context["messageId"] = uuid.uuid4().hex
        event["body"] = body
    if kind == "DISCONNECT":
        context["disconnectStatusCode"] = 1000
    return event


async def _invoke(event: dict[str, Any]) -> dict[str, Any]:
    handler, new_context = _socket_function()
    result = await run_in_threadpool(handler, event, new_context())
    return result if isinstance(result, dict) else {}


@router.websocket("/ws")
async def live_socket(websocket: WebSocket) -> None:
    from aisre.core.settings import get_settings

    if not get_settings().live_connections_endpoint:
        # No live events wired to this server (a test's app, say: `LocalStack.serve_live_events` was not called):
        # refuse the handshake, so that a client falls back to polling rather than wait for events that never come.
        await websocket.close(code=1013)
        return
    # API Gateway's connection ids: 12 random bytes, base64 ("L0SM9cOFvHcCIhw=").
    connection_id = base64.b64encode(secrets.token_bytes(12)).decode().replace("/", "_").replace("+", "-")
    await websocket.accept()
    socket = _sockets[connection_id] = _Socket(websocket)
    try:
        answer = await _invoke(_event("$connect", "CONNECT", connection_id, websocket))
        if int(answer.get("statusCode", 200)) >= 300:
            await socket.close(1008)
            return
        while not socket.closed:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None and message.get("bytes") is not None:
                text = message["bytes"].decode("utf-8", "replace")
            if text is not None and len(text.encode()) > MAX_FRAME_BYTES:
                await socket.close(1009)
                break
            socket.last_active_at = time.time()
            try:
                answer = await _invoke(_event("$default", "MESSAGE", connection_id, websocket, text))
            except Exception:
                # As API Gateway answers a route whose function failed; the connection stays open.
                logger.exception("live socket %s: the socket function failed", connection_id)
                answer = {"body": json.dumps({"message": "Internal server error", "connectionId": connection_id})}
            if answer.get("body") is not None:
                await socket.send(str(answer["body"]))
    except WebSocketDisconnect:
        pass
    except Exception:
        logger.exception("live socket %s failed", connection_id)
        await socket.close(1011)
    finally:
        socket.closed = True
        try:
            await _invoke(_event("$disconnect", "DISCONNECT", connection_id, websocket))
        except Exception:
            logger.exception("live socket %s: $disconnect failed", connection_id)
        _sockets.pop(connection_id, None)


def _loopback_only(request: Request) -> Response | None:
    host = request.client.host if request.client else ""
    if not host.startswith(_LOOPBACK_HOSTS):
        return Response(status_code=403, content=b'{"message": "Forbidden"}', media_type="application/json")
    return None


def _gone() -> Response:
    return Response(status_code=410, content=b'{"message": "Gone"}', media_type="application/json")


def _open_socket(connection_id: str, request: Request) -> _Socket | Response:
    """The connection's open socket, or the answer API Gateway gives instead: 403 off loopback, 410 once gone."""
    refused = _loopback_only(request)
    if refused is not None:
        return refused
    socket = _sockets.get(connection_id)
    if socket is None or socket.closed:
        return _gone()
    return socket


@router.post("/@connections/{connection_id}")
async def post_to_connection(connection_id: str, request: Request) -> Response:
    socket = _open_socket(connection_id, request)
    if isinstance(socket, Response):
        return socket
    body = await request.body()
    if len(body) > MAX_FRAME_BYTES * 4:
        return Response(status_code=413, content=b'{"message": "Payload too large"}', media_type="application/json")
    if not await socket.send(body.decode("utf-8", "replace")):
        return _gone()
    return Response(status_code=200)


@router.get("/@connections/{connection_id}")
async def get_connection(connection_id: str, request: Request) -> Response:
    socket = _open_socket(connection_id, request)
    if isinstance(socket, Response):
        return socket
    client = socket.websocket.client
    body = {
        "ConnectedAt": _iso(socket.connected_at),
        "LastActiveAt": _iso(socket.last_active_at),
        "Identity": {"SourceIp": client.host if client else "127.0.0.1", "UserAgent": ""},
    }
    return Response(status_code=200, content=json.dumps(body).encode(), media_type="application/json")


@router.delete("/@connections/{connection_id}")
async def delete_connection(connection_id: str, request: Request) -> Response:
    socket = _open_socket(connection_id, request)
    if isinstance(socket, Response):
        return socket
    await socket.close(1000)
    return Response(status_code=204)


def _iso(seconds: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")

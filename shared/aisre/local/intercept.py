"""Interceptors around the emulator's DynamoDB requests: the journal, transaction tokens, injected faults.

An interceptor sees each DynamoDB request (its operation and raw body) and decides whether and when moto
serves it: `proceed()` runs the rest of the chain and moto's handler and returns its answer, which the
interceptor may pass on, replace, or never ask for. The chain runs inside moto_patches.DYNAMODB_LOCK (the lock
that serves DynamoDB requests one at a time; it is re-entrant, so moto's own acquisition inside nests), so
what an interceptor reads of moto's tables right after `proceed()` is exactly what that request left.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
_ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Call:
    """One DynamoDB request: "PutItem", its JSON body as sent, and its WSGI environ."""

    operation: str
    body: bytes
    environ: dict[str, Any]
    _parsed: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def json(self) -> dict[str, Any]:
        """The body, parsed once for every interceptor that reads it (the journal, the streams); never changed."""
        if self._parsed is None:
            object.__setattr__(self, "_parsed", json.loads(self.body or b"{}"))
        assert self._parsed is not None
        return self._parsed


Proceed = Callable[[], Answer]


class Interceptor(Protocol):
    def __call__(self, call: Call, proceed: Proceed) -> Answer: ...


def dynamodb_error(status: int, error_type: str, message: str) -> Answer:
    """An error as DynamoDB's JSON protocol answers it (botocore reads __type and message)."""
    body = json.dumps({"__type": _ERROR_PREFIX + error_type, "message": message}).encode()
    return Answer(status, [("Content-Type", JSON_CONTENT_TYPE)], body)


def intercept_dynamodb(app: WsgiApp, interceptors: Sequence[Interceptor], lock: Any) -> WsgiApp:
    """`app` with each DynamoDB request passed through `interceptors` (the first outermost) under `lock`."""
    if not interceptors:
        return app

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_"):
            return app(environ, start_response)
        call = Call(target.rsplit(".", 1)[-1], _read_body(environ), environ)

        def innermost() -> Answer:
            return _serve(app, environ)

        chain: Proceed = innermost
        for interceptor in reversed(interceptors):
            chain = _link(interceptor, call, chain)
        with lock:
            answer = chain()
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", answer.headers)
        return [answer.body]

    return wrapped


def _link(interceptor: Interceptor, call: Call, proceed: Proceed) -> Proceed:
    return lambda: interceptor(call, proceed)


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, left readable for moto: both of the emulator's fronts hand it over as BytesIO."""
    stream = environ["wsgi.input"]
    if isinstance(stream, io.BytesIO):
        return stream.getvalue()
    length = environ.get("CONTENT_LENGTH") or ""
    body: bytes = stream.read(int(length)) if length.isdigit() else stream.read()
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _serve(app: WsgiApp, environ: dict[str, Any]) -> Answer:
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [int(status.split(" ", 1)[0]), list(headers)]
        return lambda _data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return Answer(started[0], started[1], body)

"""The local server's access log: one line per request, with its latency.

In place of uvicorn's access log, which writes an `api_key` given in the query string in clear and says
nothing of latency. Under load it costs about what uvicorn's did (within the benchmark's noise).
"""

from __future__ import annotations

import logging
import re
from typing import IO

from starlette.types import Scope

access_logger = logging.getLogger("aisre.access")


def log_requests_to(stream: IO[str]) -> None:
    """Plain lines on `stream`, at INFO whatever LOG_LEVEL says (as uvicorn's access log was), and not
    through the platform's JSON logger, whose formatting would cost more than the request's own work."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False


# `?api_key=` is how a sender that cannot set headers authenticates: its value never reaches a log.
_API_KEY_VALUE = re.compile(r"(?<![^&])(api_key=)[^&]*")


def _redacted(query: bytes) -> str:
    text = query.decode("latin-1")
    return _API_KEY_VALUE.sub(r"\1***", text) if "api_key=" in text else text


def log_request(scope: Scope, status: int, seconds: float) -> None:
    """`client "METHOD path?query HTTP/version" status milliseconds` (an API key in the query string shows
    as ***); a RequestObserver, called by the API's RequestMetrics when the response is done."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    query = scope.get("query_string")
    access_logger.info(
        '%s "%s %s%s HTTP/%s" %d %.1fms',
        f"{client[0]}:{client[1]}" if client else "-",
        scope["method"],
        scope["path"],
        "?" + _redacted(query) if query else "",
        scope.get("http_version", "1.1"),
        status,
        seconds * 1000,
    )

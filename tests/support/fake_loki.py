"""A small Loki for tests: GET /loki/api/v1/query_range evaluating the LogQL a log query needs (a stream selector
with =, !=, =~, !~ and the line filters |=, !=, |~, !~, in raw or quoted strings) over streams held in memory,
with start/end (nanoseconds), limit and direction as Loki applies them. A regex Loki's RE2 refuses (a lookaround)
is answered 400 with Loki's plain-text error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tests.support.servers import serve_app

Stream = tuple[dict[str, str], list[tuple[int, str]]]  # labels, (nanoseconds, line) entries

_STRING = r"(`[^`]*`|\"(?:[^\"\\]|\\.)*\")"
_MATCHER = re.compile(rf"\s*(\w+)\s*(=~|!~|!=|=)\s*{_STRING}\s*,?")
_FILTER = re.compile(rf"\s*(\|=|\|~|!=|!~)\s*{_STRING}")
_RE2_REFUSES = re.compile(r"\(\?[=!<]")


class LogQLError(ValueError):
    pass


def _string(token: str) -> str:
    return token[1:-1] if token.startswith("`") else str(json.loads(token))


def _regex(pattern: str) -> re.Pattern[str]:
    if _RE2_REFUSES.search(pattern):
        raise LogQLError(f"error parsing regexp: invalid or unsupported Perl syntax: `{pattern}`")
    return re.compile(pattern)


def evaluate(query: str, streams: list[Stream]) -> list[Stream]:
    if not query.startswith("{") or "}" not in query:
        raise LogQLError(f"parse error: unexpected query {query!r}")
    selector, pipeline = query[1:].split("}", 1)
    matchers = [(label, op, _string(value)) for label, op, value in _MATCHER.findall(selector)]
    filters = []
    rest = pipeline
    while rest.strip():
        match = _FILTER.match(rest)
        if not match:
            raise LogQLError(f"parse error near {rest!r}")
        filters.append((match.group(1), _string(match.group(2))))
        rest = rest[match.end() :]

    def selected(labels: dict[str, str]) -> bool:
        for label, op, value in matchers:
            have = labels.get(label, "")
            if (op == "=" and have != value) or (op == "!=" and have == value):
                return False
            if op in ("=~", "!~") and bool(_regex(f"^(?:{value})$").match(have)) != (op == "=~"):
                return False
        return True

    def kept(line: str) -> bool:
        for op, value in filters:
            found = value in line if op in ("|=", "!=") else bool(_regex(value).search(line))
            if found != (op in ("|=", "|~")):
                return False
        return True

    return [(labels, [e for e in entries if kept(e[1])]) for labels, entries in streams if selected(labels)]


@contextmanager
def serve_fake_loki(streams: list[Stream]) -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    app = FastAPI()

    @app.get("/loki/api/v1/query_range")
    def query_range(request: Request) -> Response:
        params = dict(request.query_params)
        seen.append(params)
        try:
            found = evaluate(params["query"], streams)
        except LogQLError as error:
            return PlainTextResponse(str(error), status_code=400)
        start, end = int(params.get("start", 0)), int(params.get("end", 2**63))
        limit = int(params.get("limit", 100))
        backward = params.get("direction", "backward") == "backward"
        entries = [(ns, i, line) for i, (_, values) in enumerate(found) for ns, line in values if start <= ns <= end]
        entries.sort(key=lambda e: e[0], reverse=backward)
        chosen = entries[:limit]
        result: list[dict[str, Any]] = []
        for i, (labels, _) in enumerate(found):
            values = [[str(ns), line] for ns, index, line in chosen if index == i]
            if values:
                result.append({"stream": labels, "values": values})
        return JSONResponse({"status": "success", "data": {"resultType": "streams", "result": result}})

    with serve_app(app) as url:
        yield url, seen

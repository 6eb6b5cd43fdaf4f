"""Reading a webhook body into JSON-like data: JSON, or form-encoded (Datadog and older tools send forms)."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from aisre.core.errors import PayloadError

_FORM = "application/x-www-form-urlencoded"

# Bounds no monitoring tool comes near, and past which a payload would fail later (a 5xx, or a sender
# retrying forever) instead of now with a 400 that names the problem.
MAX_DEPTH = 64
MAX_INT_DIGITS = 64


def parse_body(body: bytes, content_type: str | None) -> Any:
    """The body's data; PayloadError naming what is wrong when it cannot be read."""
    if not body.strip():
        raise PayloadError("request body is empty", field="body")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type == _FORM:
        return _parse_form(body)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PayloadError(f"request body is not UTF-8 text (byte {error.start})", field="body") from error
    return load_json(text)


def load_json(text: str, field: str = "body") -> Any:
    """JSON text as data, refusing what JSON does not allow or no alert needs: NaN and Infinity, numbers
    too large for a float, integers longer than MAX_INT_DIGITS, nesting deeper than MAX_DEPTH, and
    strings with lone surrogates (which no store can encode). PayloadError names the problem and where."""
    try:
        data = json.loads(text, parse_constant=_non_finite, parse_float=_finite_float, parse_int=_bounded_int)
    except json.JSONDecodeError as error:
        raise PayloadError(
            f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}", field=field
        ) from error
    except RecursionError as error:
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels", field=field) from error
    _check_values(data, field)
    return data


def _non_finite(name: str) -> float:
    raise PayloadError(f"{name} is not a JSON number", field="body")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError(f"number {text[:40]} is out of range", field="body")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise PayloadError(f"integer of {len(text)} digits is longer than {MAX_INT_DIGITS}", field="body")
    return int(text)


def _check_values(data: Any, field: str) -> None:
    """Depth and text, walked without recursion (a hostile payload must not exhaust the stack here either)."""
    stack: list[tuple[Any, str, int]] = [(data, field, 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels", field=path)
        if isinstance(value, str):
            _check_text(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, path)
                stack.append((item, f"{path}.{key}"[:200], depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]"[:200], depth + 1) for index, item in enumerate(value))


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise PayloadError(f"text with a lone surrogate (\\u{ord(text[error.start]):04x})", field=path) from error


def _parse_form(body: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise PayloadError(f"malformed form body: {error}", field="body") from error
    data: dict[str, Any] = dict(pairs)
    # A form carrying the JSON document in one field (`payload=`, as several tools send it).
    embedded = data.get("payload")
    if isinstance(embedded, str) and embedded.lstrip().startswith(("{", "[")):
        parsed = load_json(embedded, field="payload")
        if isinstance(parsed, dict):
            return parsed
    return data

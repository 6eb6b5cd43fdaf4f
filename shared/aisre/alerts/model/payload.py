"""Reading a webhook body into JSON-like data: JSON, or form-encoded (Datadog and older tools send forms)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from aisre.core.errors import PayloadError

_FORM = "application/x-www-form-urlencoded"


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
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PayloadError(
            f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}", field="body"
        ) from error


def _parse_form(body: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise PayloadError(f"malformed form body: {error}", field="body") from error
    data: dict[str, Any] = dict(pairs)
    # A form carrying the JSON document in one field (`payload=`, as several tools send it).
    embedded = data.get("payload")
    if isinstance(embedded, str) and embedded.lstrip().startswith(("{", "[")):
        try:
            parsed = json.loads(embedded)
        except json.JSONDecodeError as error:
            raise PayloadError(f"form field payload is not valid JSON: {error.msg}", field="payload") from error
        if isinstance(parsed, dict):
            return parsed
    return data

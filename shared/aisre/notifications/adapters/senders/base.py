"""What the HTTP senders share: a POST through the guarded client (ports.OutboundHttp) whose every outcome is
either the receiver's answer or the SendResult that stands for having none (refused, unreachable), and the
answer read into a SendResult."""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping
from typing import Any

from aisre.core.clock import utc_now
from aisre.notifications.errors import OutboundAddressError
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.retry_after import parse_retry_after
from aisre.notifications.ports import HttpAnswer, OutboundHttp

TIMEOUT_SECONDS = 10.0
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def post(
    client: OutboundHttp, url: str, body: bytes, headers: Mapping[str, str], timeout: float = TIMEOUT_SECONDS
) -> HttpAnswer | SendResult:
    """The receiver's answer, or the SendResult for none. Error texts never carry the URL: a Slack or Teams
    webhook's path, a Telegram bot's token are secrets."""
    try:
        return client.post(url, body, headers, timeout=timeout)
    except OutboundAddressError as refused:
        return SendResult.refused(refused.message)
    except OSError as failed:
        return SendResult.unreachable(f"{type(failed).__name__}: {failed}".rstrip(": "))
    except (ValueError, http.client.HTTPException) as unusable:
        # A URL or header the HTTP client cannot send (a control character, a non-latin-1 token): the channel's
        # config, which no retry will change.
        return SendResult.refused(f"cannot send this request: {type(unusable).__name__}")


def post_json(
    client: OutboundHttp,
    url: str,
    payload: Any,
    headers: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> HttpAnswer | SendResult:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
    return post(client, url, body, {**JSON_HEADERS, **(headers or {})}, timeout)


def retry_after_of(answer: HttpAnswer) -> float | None:
    return parse_retry_after(answer.headers.get("retry-after"), utc_now())


def result_of(answer: HttpAnswer, external_ref: str | None = None) -> SendResult:
    return SendResult.from_http(answer.status_code, answer.body, retry_after_of(answer), external_ref)


def json_object(answer: HttpAnswer) -> dict[str, Any] | None:
    """The answer's body as a JSON object, or None when it is not one (garbage is recorded, never raised)."""
    try:
        parsed = json.loads(answer.body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def base_url(config: Mapping[str, Any], key: str, default: str) -> str:
    return str(config.get(key) or default).rstrip("/")

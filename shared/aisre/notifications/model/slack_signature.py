"""Slack's request signing: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the app's signing
secret, in X-Slack-Signature, the timestamp in X-Slack-Request-Timestamp; a request more than five minutes from
now is refused (a replay), whatever its signature."""

from __future__ import annotations

import hashlib
import hmac

from aisre.core.errors import (
    SignatureExpiredError,
    SignatureMalformedError,
    SignatureMismatchError,
    SignatureMissingError,
)

SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
REPLAY_WINDOW_SECONDS = 300
_VERSION = "v0"


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Slack-Signature Slack sends for `body` at `timestamp` (what a test or a relay signs with)."""
    base = f"{_VERSION}:{timestamp}:".encode() + body
    return f"{_VERSION}=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify_slack_signature(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now_epoch: float,
    window_seconds: int = REPLAY_WINDOW_SECONDS,
) -> None:
    """Return if `signature` is Slack's for `body` at `timestamp`, `timestamp` within the window of now; raise the
    core Signature*Error saying which check failed otherwise."""
    if not signature:
        raise SignatureMissingError(f"{SIGNATURE_HEADER} is missing", field=SIGNATURE_HEADER)
    if not timestamp:
        raise SignatureMissingError(f"{TIMESTAMP_HEADER} is missing", field=TIMESTAMP_HEADER)
    stamp = timestamp.strip()
    if not stamp.isdigit() or len(stamp) > 12:
        raise SignatureMalformedError(f"{TIMESTAMP_HEADER} must be Unix seconds", field=TIMESTAMP_HEADER)
    if abs(now_epoch - int(stamp)) > window_seconds:
        raise SignatureExpiredError(
            f"{TIMESTAMP_HEADER} is more than {window_seconds // 60} minutes from now: refused as a replay",
            field=TIMESTAMP_HEADER,
        )
    if not signature.startswith(f"{_VERSION}="):
        raise SignatureMalformedError(f"{SIGNATURE_HEADER} must be {_VERSION}=<hex digest>", field=SIGNATURE_HEADER)
    expected = slack_signature(secret, stamp, body)
    # Constant time: how much of a forged signature matched must not show in how long the refusal took.
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", "replace")):
        raise SignatureMismatchError(f"{SIGNATURE_HEADER} does not match the body", field=SIGNATURE_HEADER)

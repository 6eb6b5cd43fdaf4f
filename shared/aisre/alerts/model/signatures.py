"""Webhook signature checks over the exact raw bytes, constant-time, with each provider's rotation rules."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aisre.core.errors import (
    SignatureExpiredError,
    SignatureMalformedError,
    SignatureMismatchError,
    SignatureMissingError,
)

_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")

PAGERDUTY_SIGNATURE_HEADER = "X-PagerDuty-Signature"
GRAFANA_SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"
GRAFANA_TIMESTAMP_HEADER = "X-Grafana-Alerting-Timestamp"


def split_secrets(value: str) -> list[str]:
    """Configured secrets: several, comma-separated, during a rotation (the old and the new)."""
    return [secret.strip() for secret in value.split(",") if secret.strip()]


def _digest(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def _any_match(candidates: Sequence[bytes], secrets: Sequence[str], message: bytes) -> bool:
    # Every pair is compared even after a match, so timing says nothing about which one matched.
    matched = False
    for secret in secrets:
        expected = _digest(secret, message)
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    return matched


def verify_pagerduty(body: bytes, header: str | None, secrets: Sequence[str]) -> None:
    """PagerDuty v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]`, HMAC-SHA256 of the raw body.

    PagerDuty sends one signature per active secret while a secret is rotated; any one matching any
    configured secret passes. Versions other than v1 are ignored, as PagerDuty asks.
    """
    if header is None or not header.strip():
        raise SignatureMissingError(
            f"{PAGERDUTY_SIGNATURE_HEADER} header is required", field=PAGERDUTY_SIGNATURE_HEADER
        )
    candidates: list[bytes] = []
    for part in header.split(","):
        version, _, value = part.strip().partition("=")
        if version == "v1" and _HEX_SHA256.match(value):
            candidates.append(bytes.fromhex(value))
    if not candidates:
        raise SignatureMalformedError(
            f"{PAGERDUTY_SIGNATURE_HEADER} holds no v1=<64 hex digits> signature", field=PAGERDUTY_SIGNATURE_HEADER
        )
    if not _any_match(candidates, secrets, body):
        raise SignatureMismatchError("webhook signature does not match", field=PAGERDUTY_SIGNATURE_HEADER)


def verify_grafana(
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    secrets: Sequence[str],
    *,
    now_epoch: float,
    max_age_seconds: int,
) -> None:
    """Grafana's webhook HMAC: hex HMAC-SHA256 of the body, or of `timestamp:body` when the contact
    point sends a timestamp header; a timestamp outside the window is a replay and is refused."""
    if signature is None or not signature.strip():
        raise SignatureMissingError(f"{GRAFANA_SIGNATURE_HEADER} header is required", field=GRAFANA_SIGNATURE_HEADER)
    value = signature.strip().removeprefix("sha256=")
    if not _HEX_SHA256.match(value):
        raise SignatureMalformedError(
            f"{GRAFANA_SIGNATURE_HEADER} is not 64 hex digits", field=GRAFANA_SIGNATURE_HEADER
        )
    message = body
    if timestamp is not None and timestamp.strip():
        stamp = timestamp.strip()
        if not stamp.isdigit():
            raise SignatureMalformedError(
                f"{GRAFANA_TIMESTAMP_HEADER} is not a Unix time", field=GRAFANA_TIMESTAMP_HEADER
            )
        if abs(now_epoch - int(stamp)) > max_age_seconds:
            raise SignatureExpiredError(
                f"signed timestamp is more than {max_age_seconds} s away from now", field=GRAFANA_TIMESTAMP_HEADER
            )
        message = stamp.encode("ascii") + b":" + body
    if not _any_match([bytes.fromhex(value)], secrets, message):
        raise SignatureMismatchError("webhook signature does not match", field=GRAFANA_SIGNATURE_HEADER)


@dataclass(frozen=True)
class SigningSecrets:
    """The configured webhook secrets of the providers that sign, and Grafana's replay window."""

    pagerduty: list[str] = field(default_factory=list)
    grafana: list[str] = field(default_factory=list)
    grafana_max_age_seconds: int = 300


def verify_delivery(
    source: str, body: bytes, headers: Mapping[str, str], secrets: SigningSecrets, *, now_epoch: float
) -> None:
    """Where the provider signs and a secret is configured, the exact raw bytes must carry its signature.
    Called before anything is read or stored, so a forged request leaves no trace but its 4xx.
    `headers` must look names up case-insensitively (Starlette's Headers do)."""
    if source == "pagerduty" and secrets.pagerduty:
        verify_pagerduty(body, headers.get(PAGERDUTY_SIGNATURE_HEADER), secrets.pagerduty)
    elif source == "grafana" and secrets.grafana:
        verify_grafana(
            body,
            headers.get(GRAFANA_SIGNATURE_HEADER),
            headers.get(GRAFANA_TIMESTAMP_HEADER),
            secrets.grafana,
            now_epoch=now_epoch,
            max_age_seconds=secrets.grafana_max_age_seconds,
        )

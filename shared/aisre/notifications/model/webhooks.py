"""Outgoing webhooks (seed 002 /api/v1/webhooks): a URL subscribed to event types, deliveries signed following
the Standard Webhooks specification with the webhook's own secret."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aisre.notifications.errors import WebhookConfigError
from aisre.notifications.model.events import WEBHOOK_EVENT_NAMES

# Standard Webhooks: the secret is `whsec_` + base64 of the key; the libraries strip the prefix and decode the rest.
SECRET_PREFIX = "whsec_"
# The specification asks for keys of 24 to 64 bytes; the platform generates 24 (32 base64 characters).
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64
GENERATED_SECRET_BYTES = 24
EVERY_EVENT = "*"
WEBHOOK_EVENTS: frozenset[str] = frozenset(WEBHOOK_EVENT_NAMES.values())
MAX_EVENTS = 20
MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class OutgoingWebhook:
    id: str
    workspace_id: str
    url: str
    # The event names it receives (WEBHOOK_EVENT_NAMES' values: incident.created, ...); "*" for every one.
    events: tuple[str, ...]
    # `whsec_` + base64 of the key, as the Standard Webhooks libraries take it. Shown once, at creation.
    secret: str
    enabled: bool = True
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    # Each change is written on condition that the stored version is the one read (two editors cannot lose one).
    version: int = 1

    def wants(self, event_name: str) -> bool:
        return self.enabled and ("*" in self.events or event_name in self.events)


def encode_secret(key: bytes) -> str:
    """The secret's text for a key: `whsec_` + base64, as Standard Webhooks' libraries read it."""
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def check_secret(secret: Any) -> str:
    """A secret given by the client: `whsec_` + standard base64 of 24 to 64 bytes (WebhookConfigError naming
    `secret` otherwise), so that any Standard Webhooks library verifies with it as given."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise WebhookConfigError(
            f"secret must be {SECRET_PREFIX!r} followed by the base64 of a {MIN_SECRET_BYTES}-{MAX_SECRET_BYTES} byte "
            "key (or leave it out: one is generated)",
            field="secret",
        )
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookConfigError(f"secret: what follows {SECRET_PREFIX!r} is not base64", field="secret") from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise WebhookConfigError(
            f"secret: the key is {len(key)} bytes; Standard Webhooks keys are {MIN_SECRET_BYTES} to "
            f"{MAX_SECRET_BYTES} bytes",
            field="secret",
        )
    return secret


def secret_hint(secret: str) -> str:
    """What a read shows of a secret: enough to tell two apart (its last 4 characters), never enough to sign."""
    return f"{SECRET_PREFIX}****{secret[-4:]}" if len(secret) > len(SECRET_PREFIX) + 8 else f"{SECRET_PREFIX}****"


def check_events(events: Any) -> tuple[str, ...]:
    """The event names, each known (WEBHOOK_EVENT_NAMES' values, or "*"), once each in the order given;
    WebhookConfigError naming `events[i]` for the first unknown."""
    if not isinstance(events, Sequence) or isinstance(events, str) or not events:
        raise WebhookConfigError("events must be a non-empty list of event names", field="events")
    if len(events) > MAX_EVENTS:
        raise WebhookConfigError(f"events: at most {MAX_EVENTS} names", field="events")
    known: list[str] = []
    for index, name in enumerate(events):
        if not isinstance(name, str) or (name != EVERY_EVENT and name not in WEBHOOK_EVENTS):
            allowed = ", ".join(sorted(WEBHOOK_EVENTS))
            raise WebhookConfigError(
                f"events[{index}]: {name!r} is not an event name (one of {allowed}, or {EVERY_EVENT!r} for all)",
                field=f"events[{index}]",
            )
        if name not in known:
            known.append(name)
    return tuple(known)


def check_webhook_url(url: Any, *, allow_http: bool) -> str:
    """The URL's form: absolute, https (http too when private networks are allowed: a loopback receiver), a host,
    no credentials in it (a read would show them). Where the host leads is checked apart (it needs a lookup)."""
    if not isinstance(url, str) or not url.strip():
        raise WebhookConfigError("url must be an https URL", field="url")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookConfigError(f"url is longer than {MAX_URL_LENGTH} characters", field="url")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise WebhookConfigError("url must not contain spaces or control characters", field="url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise WebhookConfigError(f"url {url!r} is not a URL", field="url") from None
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        need = "an http(s)" if allow_http else "an https"
        raise WebhookConfigError(f"url must be {need} URL (got {parts.scheme or 'no'} scheme)", field="url")
    if not host:
        raise WebhookConfigError("url has no host", field="url")
    if parts.username is not None or parts.password is not None:
        raise WebhookConfigError("url must not carry credentials (user:password@): use the signing secret", field="url")
    return url

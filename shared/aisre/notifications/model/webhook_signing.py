"""Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under the
secret's key (the base64 after `whsec_`), with the `webhook-id` and `webhook-timestamp` it covers. A receiver
verifies it with any Standard Webhooks library (`standardwebhooks.Webhook(secret).verify(body, headers)`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from aisre.notifications.errors import WebhookSecretError

SECRET_PREFIX = "whsec_"


def webhook_key(secret: str) -> bytes:
    """The HMAC key a `whsec_<base64>` secret stands for (the prefix optional, as the libraries take it)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookSecretError("the webhook secret is not whsec_ followed by base64", field="secret") from None
    if not key:
        raise WebhookSecretError("the webhook secret is empty", field="secret")
    return key


def webhook_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(webhook_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def webhook_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of a delivery: its id (the same on every retry, so the receiver can drop duplicates), the
    time it is signed at (now, on each attempt: receivers refuse old timestamps), and the signature."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_signature(secret, message_id, timestamp, body),
        "Content-Type": "application/json",
    }

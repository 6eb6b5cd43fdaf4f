"""Amazon SNS's HTTP(S) deliveries: which fields each message type signs, and which URLs may be trusted.

SNS signs a canonical text of named fields, not the raw body (AWS's "Verifying the signatures of Amazon
SNS messages"); the certificate and the subscription-confirmation link arrive in the message itself, so
both must point at an SNS endpoint before the platform fetches either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aisre.alerts.model.payload import load_json
from aisre.core.errors import PayloadError, SignatureMalformedError

SNS_MESSAGE_TYPE_HEADER = "x-amz-sns-message-type"  # set by SNS on every HTTP(S) delivery

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"

_SIGNED_FIELDS = {
    NOTIFICATION: ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    SUBSCRIPTION_CONFIRMATION: ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    UNSUBSCRIBE_CONFIRMATION: ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
_OPTIONAL_SIGNED_FIELDS = frozenset({"Subject"})
# SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA.
HASH_BY_SIGNATURE_VERSION = {"1": "sha1", "2": "sha256"}

# sns.<region>.amazonaws.com, and the China partition's amazonaws.com.cn.
SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


@dataclass(frozen=True)
class SnsMessage:
    fields: Mapping[str, Any]

    @property
    def type(self) -> str:
        return str(self.fields["Type"])

    @property
    def topic_arn(self) -> str | None:
        value = self.fields.get("TopicArn")
        return str(value) if value is not None else None

    def text(self, name: str) -> str:
        value = self.fields.get(name)
        if not isinstance(value, str) or not value:
            raise PayloadError(f"SNS {self.type} message has no {name}", field=name)
        return value


def read_sns_message(body: bytes) -> SnsMessage:
    try:
        fields = load_json(body.decode("utf-8-sig"))
    except (PayloadError, UnicodeDecodeError) as error:
        raise PayloadError("SNS delivery is not valid JSON", field="body") from error
    if not isinstance(fields, dict):
        raise PayloadError("SNS delivery must be a JSON object", field="body")
    kind = fields.get("Type")
    # Any JSON value may stand there: a list or an object is no type (and no dictionary key).
    if not isinstance(kind, str) or kind not in _SIGNED_FIELDS:
        raise PayloadError(f"SNS message Type must be one of {sorted(_SIGNED_FIELDS)}, got {kind!r}", field="Type")
    return SnsMessage(fields)


def string_to_sign(message: SnsMessage) -> bytes:
    """The text SNS signed: each field's name and value on lines of their own, in SNS's fixed order."""
    lines: list[str] = []
    for name in _SIGNED_FIELDS[message.type]:
        value = message.fields.get(name)
        if value is None and name in _OPTIONAL_SIGNED_FIELDS:
            continue
        if not isinstance(value, str):
            raise SignatureMalformedError(f"SNS {message.type} message lacks the signed field {name}", field=name)
        lines += (name, value)
    return ("\n".join(lines) + "\n").encode("utf-8")


def signature_hash(message: SnsMessage) -> str:
    version = str(message.fields.get("SignatureVersion", ""))
    if version not in HASH_BY_SIGNATURE_VERSION:
        raise SignatureMalformedError(
            f"SNS SignatureVersion must be 1 or 2, got {version or 'none'!r}", field="SignatureVersion"
        )
    return HASH_BY_SIGNATURE_VERSION[version]


def is_sns_url(url: str) -> bool:
    """An https URL on an SNS endpoint's host, with no credentials or port tricks."""
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.username is None
        and parts.port in (None, 443)
        and bool(SNS_HOST.match(parts.hostname or ""))
    )

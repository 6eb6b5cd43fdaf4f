"""Opaque cursors over DynamoDB's LastEvaluatedKey, bound to the partition they were issued for."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aisre.core.errors import ValidationError


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_attribute: str, partition_value: str) -> dict[str, Any] | None:
    """The start key a cursor holds, refused unless it was issued for this very partition.

    A cursor is client-controlled input: without the check, one crafted for another workspace's
    partition would be handed to DynamoDB as is.
    """
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ValidationError("cursor is not one this API issued", field="cursor") from error
    if not isinstance(key, dict) or key.get(partition_attribute, {}).get("S") != partition_value:
        raise ValidationError("cursor does not belong to this listing", field="cursor")
    return key

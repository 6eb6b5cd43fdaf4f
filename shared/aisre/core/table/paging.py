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


def decode_cursor(
    cursor: str | None, *, partition_attribute: str, partition_value: str, sort_prefix: str = ""
) -> dict[str, Any] | None:
    """The start key a cursor holds, refused unless it was issued for this very partition (and, for a
    query of the keys that begin with `sort_prefix`, a key among them: DynamoDB refuses a start key
    outside the query's range).

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
    if not _is_start_key(key, partition_attribute):
        raise ValidationError("cursor is not one this API issued", field="cursor")
    if key[partition_attribute]["S"] != partition_value or not key["sk"]["S"].startswith(sort_prefix):
        raise ValidationError("cursor does not belong to this listing", field="cursor")
    return key


# The key attributes a cursor may name: the table's and its indexes' (docs/data-model.md).
_KEY_ATTRIBUTES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk"})


def _is_start_key(key: Any, partition_attribute: str) -> bool:
    """The shape of the LastEvaluatedKey this API issues for a listing: the table's key, and the index's
    when the listing reads one, every value a string. Anything else would reach DynamoDB as a start key it
    refuses, a 5xx for what is a client's mistake."""
    if not isinstance(key, dict) or not set(key) <= _KEY_ATTRIBUTES:
        return False
    required = {"pk", "sk", partition_attribute}
    if partition_attribute.startswith("gsi"):
        required.add(partition_attribute.removesuffix("pk") + "sk")
    if not required <= set(key):
        return False
    return all(
        isinstance(value, dict) and list(value) == ["S"] and isinstance(value["S"], str) for value in key.values()
    )

"""Opaque cursors, bound to the listing they were issued for: over DynamoDB's LastEvaluatedKey, or over the
sort key of the last item shown (for a listing read from several partitions at once)."""

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


# A sort key is at most 1,024 bytes in DynamoDB; a position longer than any this API issues is refused
# before it could reach DynamoDB as a key condition it rejects (a 5xx for a client's mistake).
_MAX_POSITION_LENGTH = 256


def encode_position_cursor(listing: str, position: str) -> str:
    """A cursor to the items after `position` (a sort key) in `listing` (what the cursor is valid for)."""
    raw = json.dumps({"listing": listing, "after": position}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position_cursor(cursor: str | None, *, listing: str) -> str | None:
    """The sort key a position cursor holds, refused unless issued for this very listing: a cursor is
    client-controlled, and one made for another workspace's listing is a 422, not that workspace's data."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        held = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ValidationError("cursor is not one this API issued", field="cursor") from error
    if not isinstance(held, dict) or set(held) != {"listing", "after"}:
        raise ValidationError("cursor is not one this API issued", field="cursor")
    position = held["after"]
    if not isinstance(position, str) or not 0 < len(position) <= _MAX_POSITION_LENGTH:
        raise ValidationError("cursor is not one this API issued", field="cursor")
    if held["listing"] != listing:
        raise ValidationError("cursor does not belong to this listing", field="cursor")
    return position

"""DynamoDB Streams records (as Lambda's event source mapping hands them over) read into the model's ItemChanges."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from aisre.live.model.events import ItemChange, iso_from_epoch

_deserializer = TypeDeserializer()
_KINDS = frozenset({"INSERT", "MODIFY", "REMOVE"})


def item_changes(event: dict[str, Any]) -> Iterator[ItemChange]:
    """One ItemChange per well-formed record of `{"Records": [...]}`; anything else is skipped."""
    for record in event.get("Records") or []:
        change = item_change(record)
        if change is not None:
            yield change


def item_change(record: dict[str, Any]) -> ItemChange | None:
    kind = record.get("eventName")
    stream = record.get("dynamodb") or {}
    if kind not in _KINDS or not isinstance(stream.get("Keys"), dict):
        return None
    image = stream.get("NewImage")
    at = stream.get("ApproximateCreationDateTime") or time.time()
    return ItemChange(
        kind=kind,
        keys=_plain(stream["Keys"]),
        image=_plain(image) if isinstance(image, dict) else None,
        at=iso_from_epoch(float(at)),
    )


def _plain(image: dict[str, Any]) -> dict[str, Any]:
    return {name: _number(_deserializer.deserialize(value)) for name, value in image.items()}


def _number(value: Any) -> Any:
    """Decimals as int or float (JSON-ready); sets as sorted lists; maps and lists inside alike."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _number(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_number(inner) for inner in value]
    if isinstance(value, set | frozenset):
        return sorted(_number(inner) for inner in value)
    if isinstance(value, bytes | bytearray):
        return None  # binary attributes carry nothing an event shows
    return value

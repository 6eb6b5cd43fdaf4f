"""Keys of the alerts' items: dead letters and delivery receipts (docs/data-model.md)."""

from __future__ import annotations

import hashlib

from aisre.core.table.keys import stamp, unique_suffix, workspace_of

__all__ = ["stamp", "unique_suffix", "workspace_of"]

DEAD_LETTER_SK = "DLQ"
RECEIPT_SK = "WHK"
RAW_PAYLOAD_SK = "RAW"
ALL_DEAD_LETTERS = "DLQ"


def dead_letter_pk(workspace_id: str, entry_id: str) -> str:
    return f"WS#{workspace_id}#DLQ#{entry_id}"


def workspace_dead_letters(workspace_id: str) -> str:
    return f"WS#{workspace_id}#DLQ"


def dead_letter_id_key(entry_id: str) -> str:
    return f"DLQ#{entry_id}"


def receipt_pk(workspace_id: str, provider: str, delivery_id: str) -> str:
    return f"WS#{workspace_id}#WHK#{provider}#{_key_part(delivery_id)}"


def _key_part(value: str) -> str:
    """A sender's id as part of a key: as given, or its SHA-256 when long (DynamoDB caps a partition key at
    2,048 bytes; a header or a body field may be longer). The same id always gives the same key."""
    if len(value.encode("utf-8")) <= 200:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def raw_payload_pk(workspace_id: str, payload_id: str) -> str:
    return f"WS#{workspace_id}#RAW#{payload_id}"

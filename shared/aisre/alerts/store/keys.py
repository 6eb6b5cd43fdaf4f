"""Keys of the alerts' items: dead letters and delivery receipts (docs/data-model.md)."""

from __future__ import annotations

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
    return f"WS#{workspace_id}#WHK#{provider}#{delivery_id}"


def raw_payload_pk(workspace_id: str, payload_id: str) -> str:
    return f"WS#{workspace_id}#RAW#{payload_id}"

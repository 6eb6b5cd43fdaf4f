"""Keys of the outgoing webhooks' and triggers' items (docs/data-model.md): every base-table key begins with the
workspace; a trigger's history sits in the trigger's own partition."""

from __future__ import annotations

from datetime import datetime

from aisre.core.table.keys import META, ItemKeys, stamp

__all__ = ["META", "RUN_PREFIX", "TRIGGERS", "WEBHOOKS", "run_sk"]

WEBHOOKS = ItemKeys("OWH")
TRIGGERS = ItemKeys("TRG")
RUN_PREFIX = "RUN#"


def run_sk(at: datetime, run_id: str) -> str:
    return f"{RUN_PREFIX}{stamp(at)}#{run_id}"

"""Keys of the outgoing webhooks' and triggers' items (docs/data-model.md): every base-table key begins with the
workspace; a trigger's history sits in the trigger's own partition."""

from __future__ import annotations

from datetime import datetime

from aisre.core.table.keys import stamp

META = "META"
ALL_WEBHOOKS = "OWH"
ALL_TRIGGERS = "TRG"
RUN_PREFIX = "RUN#"


def webhook_pk(workspace_id: str, webhook_id: str) -> str:
    return f"WS#{workspace_id}#OWH#{webhook_id}"


def workspace_webhooks(workspace_id: str) -> str:
    return f"WS#{workspace_id}#OWH"


def webhook_id_key(webhook_id: str) -> str:
    return f"OWH#{webhook_id}"


def trigger_pk(workspace_id: str, trigger_id: str) -> str:
    return f"WS#{workspace_id}#TRG#{trigger_id}"


def workspace_triggers(workspace_id: str) -> str:
    return f"WS#{workspace_id}#TRG"


def trigger_id_key(trigger_id: str) -> str:
    return f"TRG#{trigger_id}"


def run_sk(at: datetime, run_id: str) -> str:
    return f"{RUN_PREFIX}{stamp(at)}#{run_id}"


def listed(moment: datetime, item_id: str) -> str:
    return f"{stamp(moment)}#{item_id}"

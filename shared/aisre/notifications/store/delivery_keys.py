"""Keys of the delivery pipeline's items (docs/data-model.md): every base-table key begins with the workspace."""

from __future__ import annotations

from datetime import datetime

from aisre.core.table.keys import stamp

HEALTH = "HEALTH"
NO_INCIDENT = "_"


def deliveries_pk(workspace_id: str, incident_id: str | None) -> str:
    return f"WS#{workspace_id}#NTFY#{incident_id or NO_INCIDENT}"


def delivery_sk(delivery_id: str) -> str:
    return f"DLV#{delivery_id}"


DELIVERY_PREFIX = "DLV#"


def delivery_id_key(delivery_id: str) -> str:
    return f"DLV#{delivery_id}"


def target_deliveries(workspace_id: str, target_kind: str, target_id: str) -> str:
    return f"WS#{workspace_id}#NTFYTGT#{target_kind}#{target_id}"


def failed_deliveries(workspace_id: str) -> str:
    return f"WS#{workspace_id}#NTFYFAILED"


def listed(moment: datetime, delivery_id: str) -> str:
    return f"{stamp(moment)}#{delivery_id}"


def conversation_pk(workspace_id: str, conversation_key: str) -> str:
    return f"WS#{workspace_id}#CONV#{conversation_key}"


def conversation_sk(target_kind: str, target_id: str) -> str:
    return f"TGT#{target_kind}#{target_id}"


def target_pk(workspace_id: str, target_kind: str, target_id: str) -> str:
    return f"WS#{workspace_id}#TGT#{target_kind}#{target_id}"


def rate_sk(bucket: str) -> str:
    return f"RATE#{bucket}"

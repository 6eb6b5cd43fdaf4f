"""Keys of the workflows' items (docs/data-model.md): every base-table key begins with the workspace."""

from __future__ import annotations

from datetime import datetime

from aisre.core.table.keys import stamp

META = "META"
ALL_WORKFLOWS = "WF"
ALL_RUNS = "WFRUN"


def workflow_pk(workspace_id: str, workflow_id: str) -> str:
    return f"WS#{workspace_id}#WF#{workflow_id}"


def workspace_workflows(workspace_id: str) -> str:
    return f"WS#{workspace_id}#WF"


def workflow_id_key(workflow_id: str) -> str:
    return f"WF#{workflow_id}"


def run_pk(workspace_id: str, run_id: str) -> str:
    return f"WS#{workspace_id}#WFRUN#{run_id}"


def workspace_runs(workspace_id: str) -> str:
    return f"WS#{workspace_id}#WFRUN"


def run_id_key(run_id: str) -> str:
    return f"WFRUN#{run_id}"


def listed(moment: datetime, item_id: str) -> str:
    return f"{stamp(moment)}#{item_id}"

"""Keys of the remediation's items (docs/data-model.md): every base-table key begins with the workspace."""

from __future__ import annotations

from datetime import datetime

from aisre.core.table.keys import stamp

EXECUTION_SK = "EXEC"
SLOT_PREFIX = "SLOT#"
APPROVAL_SK = "META"
APPROVAL_LINK_PREFIX = "APR#"
ALL_EXECUTIONS = "ACTEXEC"


def execution_pk(workspace_id: str, execution_id: str) -> str:
    return f"WS#{workspace_id}#ACTEXEC#{execution_id}"


def workspace_executions(workspace_id: str) -> str:
    return f"WS#{workspace_id}#ACTEXEC"


def execution_listed(started_at: datetime, execution_id: str) -> str:
    return f"{stamp(started_at)}#{execution_id}"


def execution_id_key(execution_id: str) -> str:
    return f"ACTEXEC#{execution_id}"


def rate_pk(workspace_id: str, scope_key: str) -> str:
    """A rate limit's slots: `scope_key` is action:namespace[:target], all of them Kubernetes names or ours."""
    return f"WS#{workspace_id}#RATE#{scope_key}"


def slot_sk(index: int) -> str:
    return f"{SLOT_PREFIX}{index:04d}"


def approval_pk(workspace_id: str, approval_id: str) -> str:
    return f"WS#{workspace_id}#APR#{approval_id}"


def workspace_approvals(workspace_id: str, status: str) -> str:
    """gsi1 partition of a workspace's approvals in one stored status (pending, approved, rejected)."""
    return f"WS#{workspace_id}#APR#{status}"


def all_approvals(status: str) -> str:
    return f"APR#{status}"


def approval_listed(moment: datetime, approval_id: str) -> str:
    """Pending: by expiry, so that one Query reads only the unexpired (or only the expired); decided: by decision."""
    return f"{stamp(moment)}#{approval_id}"


def approval_id_key(approval_id: str) -> str:
    return f"APR#{approval_id}"


def incident_pk(workspace_id: str, incident_id: str) -> str:
    """The incident's partition (incidents own its key scheme): approval links sit beside the incident."""
    return f"WS#{workspace_id}#INC#{incident_id}"


def approval_link_sk(requested_at: datetime, approval_id: str) -> str:
    return f"{APPROVAL_LINK_PREFIX}{stamp(requested_at)}#{approval_id}"


SAVED_RUNBOOK_PREFIX = "RB#"
RUN_PREFIX = "RBRUN#"


def workspace_runbooks(workspace_id: str) -> str:
    """A workspace's saved runbooks, one partition: a handful of items, written rarely, listed in one Query."""
    return f"WS#{workspace_id}#RUNBOOK"


def saved_runbook_sk(runbook_id: str) -> str:
    return f"{SAVED_RUNBOOK_PREFIX}{runbook_id}"


def run_sk(run_id: str) -> str:
    """A runbook run sits beside its incident (in the incident's partition, as approval links do)."""
    return f"{RUN_PREFIX}{run_id}"

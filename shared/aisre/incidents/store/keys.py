"""Keys of the incidents' items (docs/data-model.md)."""

from __future__ import annotations

from datetime import datetime

from aisre.core.table.keys import stamp, unique_suffix, workspace_of

__all__ = ["stamp", "unique_suffix", "workspace_of"]

INCIDENT_SK = "META"
EVENT_PREFIX = "EV#"
CHILD_PREFIX = "CHILD#"
ACTION_PREFIX = "ACT#"
FINGERPRINT_SK = "FP"
ANCHOR_SK = "ANCHOR"
DEPLOY_PREFIX = "DEP#"
LATEST_DEPLOY_SK = "DEPLOY#LATEST"
NOISY_SK = "NOISY"
ALL_ACTIVITY = "ACT"
ALL_DEPLOYS = "DEP"


def incident_pk(workspace_id: str, incident_id: str) -> str:
    return f"WS#{workspace_id}#INC#{incident_id}"


def workspace_incidents(workspace_id: str, state: str) -> str:
    """gsi1 partition of a workspace's incidents in one state: the key moves when the state does."""
    return f"WS#{workspace_id}#INC#{state}"


def all_incidents(state: str) -> str:
    """gsi2 partition of every workspace's incidents in one state."""
    return f"INC#{state}"


def incident_listed(created_at: datetime, incident_id: str) -> str:
    """Sort key of an incident in its listings: newest first when read backwards; never changes."""
    return f"{stamp(created_at)}#{incident_id}"


def workspace_noisy(workspace_id: str) -> str:
    return f"WS#{workspace_id}#NOISY"


ALL_NOISY = "NOISY"

# Noisy entries are grouped by how long the incident lasted, at most this many minutes, so that a request
# for those shorter than N reads the groups below N whole (each newest first, `limit` items) and filters
# only the one group that N falls inside. The last is the longest a noisy incident may last.
NOISY_DURATION_GROUPS_MINUTES = (1, 5, 15, 60, 240, 1440)


def noisy_group(duration_seconds: float) -> int | None:
    """The group of an incident that lasted `duration_seconds`; None past the last group."""
    for minutes in NOISY_DURATION_GROUPS_MINUTES:
        if duration_seconds <= minutes * 60:
            return minutes
    return None


def noisy_group_prefix(minutes: int) -> str:
    return f"{minutes:04d}#"


def noisy_listed(minutes: int, resolved_at: datetime, incident_id: str) -> str:
    """Sort key of a noisy entry: its duration group, then when it resolved, so a group reads newest first."""
    return f"{noisy_group_prefix(minutes)}{stamp(resolved_at)}#{incident_id}"


def incident_id_key(incident_id: str) -> str:
    return f"INC#{incident_id}"


def event_sk(moment: datetime, sequence: int = 0) -> str:
    """Events written together share a moment; `sequence` keeps them in the order they were written."""
    return f"{EVENT_PREFIX}{stamp(moment)}#{sequence:03d}{unique_suffix()}"


def child_sk(child_id: str) -> str:
    return f"{CHILD_PREFIX}{child_id}"


def action_sk(moment: datetime) -> str:
    return f"{ACTION_PREFIX}{stamp(moment)}#{unique_suffix()}"


def workspace_activity(workspace_id: str) -> str:
    return f"WS#{workspace_id}#ACT"


def fingerprint_pk(workspace_id: str, fingerprint: str) -> str:
    return f"WS#{workspace_id}#FP#{fingerprint}"


def service_pk(workspace_id: str, service: str) -> str:
    return f"WS#{workspace_id}#SVC#{service}"


def deploy_sk(moment: datetime, deploy_id: str) -> str:
    return f"{DEPLOY_PREFIX}{stamp(moment)}#{deploy_id}"


def workspace_deploys(workspace_id: str) -> str:
    return f"WS#{workspace_id}#DEP"


def deploy_id_key(deploy_id: str) -> str:
    return f"DEP#{deploy_id}"


def unmatched_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#UNMATCHED"

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
ALL_INCIDENTS = "INC"
ALL_ACTIVITY = "ACT"
ALL_DEPLOYS = "DEP"


def incident_pk(workspace_id: str, incident_id: str) -> str:
    return f"WS#{workspace_id}#INC#{incident_id}"


def workspace_incidents(workspace_id: str) -> str:
    return f"WS#{workspace_id}#INC"


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

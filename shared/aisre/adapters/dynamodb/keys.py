"""Key builders of the single-table layout (docs/data-model.md): every base-table key begins with the workspace."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def stamp(moment: datetime) -> str:
    """A sortable UTC timestamp for keys (fixed width, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unique_suffix() -> str:
    return secrets.token_hex(4)


def incident_pk(workspace_id: str, incident_id: str) -> str:
    return f"WS#{workspace_id}#INC#{incident_id}"


INCIDENT_SK = "META"
EVENT_PREFIX = "EV#"
CHILD_PREFIX = "CHILD#"
ACTION_PREFIX = "ACT#"
FINGERPRINT_SK = "FP"
ANCHOR_SK = "ANCHOR"
DEPLOY_PREFIX = "DEP#"
LATEST_DEPLOY_SK = "DEPLOY#LATEST"
DEAD_LETTER_SK = "DLQ"
RECEIPT_SK = "WHK"


def workspace_incidents(workspace_id: str) -> str:
    return f"WS#{workspace_id}#INC"


ALL_INCIDENTS = "INC"


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


ALL_ACTIVITY = "ACT"


def fingerprint_pk(workspace_id: str, fingerprint: str) -> str:
    return f"WS#{workspace_id}#FP#{fingerprint}"


def service_pk(workspace_id: str, service: str) -> str:
    return f"WS#{workspace_id}#SVC#{service}"


def deploy_sk(moment: datetime, deploy_id: str) -> str:
    return f"{DEPLOY_PREFIX}{stamp(moment)}#{deploy_id}"


def workspace_deploys(workspace_id: str) -> str:
    return f"WS#{workspace_id}#DEP"


ALL_DEPLOYS = "DEP"


def deploy_id_key(deploy_id: str) -> str:
    return f"DEP#{deploy_id}"


def dead_letter_pk(workspace_id: str, entry_id: str) -> str:
    return f"WS#{workspace_id}#DLQ#{entry_id}"


def workspace_dead_letters(workspace_id: str) -> str:
    return f"WS#{workspace_id}#DLQ"


ALL_DEAD_LETTERS = "DLQ"


def dead_letter_id_key(entry_id: str) -> str:
    return f"DLQ#{entry_id}"


def receipt_pk(workspace_id: str, provider: str, delivery_id: str) -> str:
    return f"WS#{workspace_id}#WHK#{provider}#{delivery_id}"


def unmatched_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#UNMATCHED"


def workspace_of(pk: str) -> str:
    """The workspace a base-table key belongs to (keys are `WS#{workspace}#...`)."""
    return pk.split("#", 2)[1]


INVESTIGATION_PREFIX = "INV#"


def investigation_pk(workspace_id: str, investigation_id: str) -> str:
    return f"WS#{workspace_id}#INV#{investigation_id}"


def investigation_id_key(investigation_id: str) -> str:
    return f"INV#{investigation_id}"


def investigation_link_sk(started: datetime, investigation_id: str) -> str:
    return f"{INVESTIGATION_PREFIX}{stamp(started)}#{investigation_id}"

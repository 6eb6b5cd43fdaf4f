"""Keys of autonomy's items (docs/data-model.md): its decisions sit beside the incident they are about."""

from __future__ import annotations

DECISION_PREFIX = "AUTO#"


def incident_pk(workspace_id: str, incident_id: str) -> str:
    """The incident's partition (incidents own its key scheme)."""
    return f"WS#{workspace_id}#INC#{incident_id}"


def decisions_sk_prefix(mode: str) -> str:
    return f"{DECISION_PREFIX}{mode}#"


def decision_sk(mode: str, suggestion_key: str) -> str:
    """One per suggestion and mode: a suggestion dry-run by one cycle is still carried out once the mode changes."""
    return f"{decisions_sk_prefix(mode)}{suggestion_key}"

"""Keys of the investigations' items (docs/data-model.md)."""

from __future__ import annotations

from datetime import datetime

from aisre.core.table.keys import stamp, unique_suffix, workspace_of

__all__ = ["stamp", "unique_suffix", "workspace_of"]

INVESTIGATION_PREFIX = "INV#"
INVESTIGATION_SK = "META"


def investigation_pk(workspace_id: str, investigation_id: str) -> str:
    return f"WS#{workspace_id}#INV#{investigation_id}"


def investigation_id_key(investigation_id: str) -> str:
    return f"INV#{investigation_id}"


def investigation_link_sk(started: datetime, investigation_id: str) -> str:
    return f"{INVESTIGATION_PREFIX}{stamp(started)}#{investigation_id}"


def incident_partition(workspace_id: str, incident_id: str) -> str:
    """The incident's partition, where an investigation's link lives beside the incident it is about: the key
    format incidents/store/keys.py writes, spelt here so this store does not import another capability's."""
    return f"WS#{workspace_id}#INC#{incident_id}"

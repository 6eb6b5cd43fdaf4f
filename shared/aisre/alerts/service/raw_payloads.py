"""RawPayloadService: the payload an incident's alert came in, as received, when the incident keeps it cut."""

from __future__ import annotations

from aisre.alerts.model.raw_payload import RawPayload
from aisre.alerts.ports import RawPayloadStore
from aisre.core.errors import NotFoundError
from aisre.incidents.service.lifecycle import IncidentService


class RawPayloadService:
    def __init__(self, store: RawPayloadStore, incidents: IncidentService):
        self._store = store
        self._incidents = incidents

    def of_incident(self, workspace_id: str | None, incident_id: str, payload_id: str | None = None) -> RawPayload:
        """The payload that opened the incident, or the one named (a duplicate's, from its timeline event),
        read in the incident's workspace, so a key scoped to a workspace reads only that workspace's."""
        incident = self._incidents.get(workspace_id, incident_id)
        wanted = payload_id or incident.raw_payload_id
        if wanted is None:
            raise NotFoundError(
                f"incident {incident_id} keeps its alert whole: no raw payload was kept for it", field="incident_id"
            )
        return self._store.get(incident.workspace_id, wanted)

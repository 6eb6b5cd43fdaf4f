"""Requests to investigate a new incident, as queued by the ingest path, and how a batch of them coalesces.

An alert storm opens many incidents at once, but incidents of one service within the correlation window are
one group under a root: the group is investigated once, as its root, and a grouped child's diagnosis is its
root's. So only a root (an incident that is not grouped) asks for an investigation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from aisre.incidents.model.incident import Incident

AUTOMATIC_TRIGGER = "incident_created"


@dataclass(frozen=True)
class InvestigationRequest:
    workspace_id: str
    incident_id: str
    trigger: str = AUTOMATIC_TRIGGER

    def to_message(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_message(cls, body: str) -> InvestigationRequest:
        """The request a message carries; ValueError when it is not one (it then goes to the dead-letter queue)."""
        try:
            fields: Any = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from exc
        if not isinstance(fields, dict):
            raise ValueError("not a JSON object")
        values = {name: fields.get(name) for name in ("workspace_id", "incident_id")}
        values["trigger"] = fields.get("trigger", AUTOMATIC_TRIGGER)
        missing = [name for name, value in values.items() if not isinstance(value, str) or not value]
        if missing:
            raise ValueError(f"missing or not a string: {', '.join(missing)}")
        return cls(**{name: str(value) for name, value in values.items()})


def requests_for(incidents: Iterable[Incident], trigger: str = AUTOMATIC_TRIGGER) -> list[InvestigationRequest]:
    """The requests new incidents make: one per group root; a grouped child is covered by its root's."""
    return [InvestigationRequest(item.workspace_id, item.id, trigger) for item in incidents if not item.group_id]


def coalesce(requests: Iterable[InvestigationRequest]) -> list[InvestigationRequest]:
    """One request per (workspace, incident), in the order first seen: a redelivered request counts once."""
    unique: dict[tuple[str, str], InvestigationRequest] = {}
    for request in requests:
        unique.setdefault((request.workspace_id, request.incident_id), request)
    return list(unique.values())


@dataclass(frozen=True)
class QueuedInvestigation:
    """An incident whose investigation is requested and waits in the queue (a storm is being worked through)."""

    incident_id: str

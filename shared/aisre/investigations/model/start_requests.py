"""Requests to investigate a new incident, as queued by the ingest path, and how a batch of them coalesces.

An alert storm opens many incidents at once, but incidents of one service within the correlation window are
one group under a root: the group is investigated once, as its root, and the children join that
investigation (their diagnosis is the root's). So a request names the incident and its group's root.
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
    root_id: str  # the group's root: the incident itself when it is not grouped
    trigger: str = AUTOMATIC_TRIGGER

    @property
    def joins_root(self) -> bool:
        return self.incident_id != self.root_id

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
        values = {name: fields.get(name) for name in ("workspace_id", "incident_id", "root_id")}
        values["trigger"] = fields.get("trigger", AUTOMATIC_TRIGGER)
        missing = [name for name, value in values.items() if not isinstance(value, str) or not value]
        if missing:
            raise ValueError(f"missing or not a string: {', '.join(missing)}")
        return cls(**{name: str(value) for name, value in values.items()})


def request_for(incident: Incident, trigger: str = AUTOMATIC_TRIGGER) -> InvestigationRequest:
    return InvestigationRequest(incident.workspace_id, incident.id, incident.group_id or incident.id, trigger)


@dataclass
class GroupRequests:
    """The requests of one group in a batch: whether its root itself asked, and which children joined."""

    workspace_id: str
    root_id: str
    trigger: str
    children: list[str]


def coalesce(requests: Iterable[InvestigationRequest]) -> list[GroupRequests]:
    """One entry per (workspace, root), in the order first seen; a repeated request (a redelivery) counts once."""
    groups: dict[tuple[str, str], GroupRequests] = {}
    for request in requests:
        key = (request.workspace_id, request.root_id)
        group = groups.setdefault(key, GroupRequests(request.workspace_id, request.root_id, request.trigger, []))
        if request.joins_root and request.incident_id not in group.children:
            group.children.append(request.incident_id)
    return list(groups.values())


@dataclass(frozen=True)
class QueuedInvestigation:
    """An incident whose investigation is requested and waits in the queue (a storm is being worked through)."""

    incident_id: str

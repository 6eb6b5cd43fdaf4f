"""What the notification queue carries: an event to route (the worker fans it out), an incident's lifecycle fact to
turn into an event (the publisher had only the incident's id: the worker reads it, so the ingest path does not),
and a delivery of one event to one target."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aisre.notifications.model.delivery import DeliveryJob
from aisre.notifications.model.events import EventType, NotificationEvent


@dataclass(frozen=True)
class RouteEvent:
    event: NotificationEvent


@dataclass(frozen=True)
class IncidentFact:
    """`event_type` happened to an incident the worker reads first (resolved by an alert, a diagnosis finished)."""

    event_type: EventType
    workspace_id: str
    incident_id: str
    occurred_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    approval_id: str | None = None


@dataclass(frozen=True)
class Deliver:
    job: DeliveryJob


QueueMessage = RouteEvent | IncidentFact | Deliver


def to_body(message: QueueMessage) -> str:
    shaped: dict[str, Any]
    if isinstance(message, RouteEvent):
        shaped = {"kind": "event", "event": message.event.to_dict()}
    elif isinstance(message, IncidentFact):
        shaped = {
            "kind": "incident_fact",
            "event_type": message.event_type.value,
            "workspace_id": message.workspace_id,
            "incident_id": message.incident_id,
            "occurred_at": message.occurred_at.isoformat(),
            "data": dict(message.data),
            "approval_id": message.approval_id,
        }
    else:
        shaped = {"kind": "delivery", "job": message.job.to_dict()}
    return json.dumps(shaped, separators=(",", ":"), default=str)


def from_body(body: str) -> QueueMessage:
    """The message a queue body carries; ValueError when it is none of ours (it then goes to the dead-letter queue)."""
    try:
        raw = json.loads(body)
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        kind = raw.get("kind")
        if kind == "event":
            return RouteEvent(NotificationEvent.from_dict(raw["event"]))
        if kind == "delivery":
            return Deliver(DeliveryJob.from_dict(raw["job"]))
        if kind == "incident_fact":
            return IncidentFact(
                event_type=EventType(raw["event_type"]),
                workspace_id=str(raw["workspace_id"]),
                incident_id=str(raw["incident_id"]),
                occurred_at=datetime.fromisoformat(str(raw["occurred_at"])),
                data=dict(raw.get("data") or {}),
                approval_id=raw.get("approval_id"),
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a notification message: {exc}") from exc
    raise ValueError(f"not a notification message: unknown kind {kind!r}")

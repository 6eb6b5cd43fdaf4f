"""What a notification is about: one event of an incident (opened, escalated, acknowledged, resolved, its
diagnosis ready, an approval asked for, an SLO burning), in the one shape every channel renders from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    INCIDENT_OPENED = "incident.opened"
    INCIDENT_ESCALATED = "incident.escalated"
    INCIDENT_ACKNOWLEDGED = "incident.acknowledged"
    INCIDENT_RESOLVED = "incident.resolved"
    INVESTIGATION_COMPLETED = "investigation.completed"
    APPROVAL_REQUESTED = "approval.requested"
    SLO_BURN = "slo.burn"
    TEST = "notification.test"


# The outgoing webhooks' names for the same events (seed 002: incident.created, incident.updated, ...).
WEBHOOK_EVENT_NAMES: dict[EventType, str] = {
    EventType.INCIDENT_OPENED: "incident.created",
    EventType.INCIDENT_ESCALATED: "incident.updated",
    EventType.INCIDENT_ACKNOWLEDGED: "incident.updated",
    EventType.INCIDENT_RESOLVED: "incident.resolved",
    EventType.INVESTIGATION_COMPLETED: "investigation.completed",
    EventType.APPROVAL_REQUESTED: "approval.requested",
    EventType.SLO_BURN: "slo.burn",
    EventType.TEST: "notification.test",
}

SEVERITIES = ("critical", "high", "warning", "info")


@dataclass(frozen=True)
class NotificationEvent:
    """One event, as every channel renders it. `group_id` is the incident group's root (the incident itself when
    ungrouped): a storm is one conversation per group, its counts updated, never a message per alert."""

    event_id: str
    event_type: EventType
    workspace_id: str
    occurred_at: datetime
    severity: str
    title: str
    service: str | None = None
    summary: str | None = None
    incident_id: str | None = None
    group_id: str | None = None
    state: str | None = None
    alert_count: int = 1
    labels: Mapping[str, str] = field(default_factory=dict)
    # A link a person opens (the incident in the console or the API).
    link: str | None = None
    approval_id: str | None = None
    # Escalation: who is paged at this level (people named by the schedules and policies).
    recipients: tuple[str, ...] = ()
    # Whatever else an event carries (root cause, confidence, the action awaiting approval, burn rates).
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def conversation_key(self) -> str:
        """What later events of the same story share: the group, else the incident, else the event itself."""
        return self.group_id or self.incident_id or self.event_id

    def to_dict(self) -> dict[str, Any]:
        shaped = asdict(self)
        shaped["event_type"] = self.event_type.value
        shaped["occurred_at"] = self.occurred_at.isoformat()
        shaped["labels"] = dict(self.labels)
        shaped["recipients"] = list(self.recipients)
        shaped["data"] = dict(self.data)
        return shaped

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> NotificationEvent:
        """Raises ValueError (or KeyError) on a shape this code did not write."""
        return cls(
            event_id=str(raw["event_id"]),
            event_type=EventType(raw["event_type"]),
            workspace_id=str(raw["workspace_id"]),
            occurred_at=datetime.fromisoformat(str(raw["occurred_at"])),
            severity=str(raw["severity"]),
            title=str(raw["title"]),
            service=raw.get("service"),
            summary=raw.get("summary"),
            incident_id=raw.get("incident_id"),
            group_id=raw.get("group_id"),
            state=raw.get("state"),
            alert_count=int(raw.get("alert_count") or 1),
            labels={str(k): str(v) for k, v in (raw.get("labels") or {}).items()},
            link=raw.get("link"),
            approval_id=raw.get("approval_id"),
            recipients=tuple(str(r) for r in raw.get("recipients") or ()),
            data=dict(raw.get("data") or {}),
        )

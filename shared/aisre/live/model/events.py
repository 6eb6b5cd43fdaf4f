"""The live events: their names, and the pure classifier that turns one change of a table item into zero or more."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from aisre.core.timestamps import utc_iso

INCIDENT_CREATED = "incident.created"
INCIDENT_UPDATED = "incident.updated"
INCIDENT_RESOLVED = "incident.resolved"
INVESTIGATION_STARTED = "investigation.started"
INVESTIGATION_COMPLETED = "investigation.completed"
APPROVAL_REQUESTED = "approval.requested"
APPROVAL_DECIDED = "approval.decided"
ACTION_EXECUTED = "action.executed"
NOTIFICATION_SENT = "notification.sent"
NOTIFICATION_FAILED = "notification.failed"
SYSTEM_ALERT = "system.alert"

# Every event type, in the order the welcome lists them.
EVENT_TYPES: tuple[str, ...] = (
    INCIDENT_CREATED,
    INCIDENT_UPDATED,
    INCIDENT_RESOLVED,
    INVESTIGATION_STARTED,
    INVESTIGATION_COMPLETED,
    APPROVAL_REQUESTED,
    APPROVAL_DECIDED,
    ACTION_EXECUTED,
    NOTIFICATION_SENT,
    NOTIFICATION_FAILED,
    SYSTEM_ALERT,
)

ChangeKind = Literal["INSERT", "MODIFY", "REMOVE"]

_FINISHED_INVESTIGATION = frozenset({"succeeded", "failed"})
_DECIDED_APPROVAL = frozenset({"approved", "rejected"})
_NOTIFICATION_STATUS = {"delivered": NOTIFICATION_SENT, "failed": NOTIFICATION_FAILED}


@dataclass(frozen=True)
class ItemChange:
    """One change of one table item as a stream reports it: the kind, its key, the item after (None when
    removed), and when it happened (ISO 8601 UTC). Values are plain (strings, numbers, lists, dicts)."""

    kind: ChangeKind
    keys: dict[str, Any]
    image: dict[str, Any] | None
    at: str


@dataclass(frozen=True)
class LiveEvent:
    name: str
    workspace_id: str
    at: str
    data: dict[str, Any] = field(default_factory=dict)

    def message(self) -> dict[str, Any]:
        """The event as the socket sends it."""
        return {
            "type": "event",
            "event": self.name,
            "workspace_id": self.workspace_id,
            "at": self.at,
            "data": self.data,
        }


def events_of(change: ItemChange) -> list[LiveEvent]:
    """The live events one change makes: none for the many items that make none (timeline events, fingerprint
    claims, counters, a removal), one for an incident, an investigation, an approval, an action record, a
    delivery or a dead letter whose change is worth telling."""
    if change.kind == "REMOVE" or change.image is None:
        return []
    pk, sk = str(change.keys.get("pk", "")), str(change.keys.get("sk", ""))
    parts = pk.split("#")
    if len(parts) < 3 or parts[0] != "WS":
        return []
    workspace, kind = parts[1], parts[2]
    image = change.image
    name: str | None = None
    data: dict[str, Any] = {}
    if kind == "INC" and sk == "META":
        name = _incident_event(change.kind, image)
        data = _incident_data(image)
    elif kind == "INC" and sk.startswith("ACT#"):
        name = ACTION_EXECUTED if change.kind == "INSERT" else None
        data = {"incident_id": image.get("incident_id"), "action": image.get("action"), "outcome": image.get("outcome")}
    elif kind == "INV" and sk == "META":
        name, data = _investigation_event(change.kind, image, parts)
    elif kind == "APR" and sk == "META":
        name = _approval_event(change.kind, image)
        data = {
            "id": image.get("approval_id"),
            "incident_id": image.get("incident_id"),
            "action": image.get("action"),
            "status": image.get("status"),
        }
    elif kind == "NTFY" and sk.startswith("DLV#"):
        name = _NOTIFICATION_STATUS.get(str(image.get("status")))
        data = {
            "id": image.get("delivery_id"),
            "incident_id": image.get("incident_id"),
            "channel": image.get("target_name"),
            "channel_type": image.get("target_type"),
            "status": image.get("status"),
        }
    elif kind == "DLQ" and sk == "DLQ" and change.kind == "INSERT":
        name = SYSTEM_ALERT
        data = {"id": image.get("id"), "source": image.get("source"), "error": image.get("error")}
    if name is None:
        return []
    return [LiveEvent(name, workspace, change.at, data)]


def _incident_event(kind: ChangeKind, image: dict[str, Any]) -> str:
    if kind == "INSERT":
        return INCIDENT_CREATED
    # The stream carries the new image only: an incident changed while resolved is told as resolved again.
    return INCIDENT_RESOLVED if image.get("state") == "resolved" else INCIDENT_UPDATED


def _incident_data(image: dict[str, Any]) -> dict[str, Any]:
    created = iso(image.get("created_at"))
    moments = [iso(image.get(name)) for name in ("created_at", "acknowledged_at", "resolved_at", "last_alert_at")]
    return {
        "id": image.get("id"),
        "title": image.get("title"),
        "state": image.get("state"),
        "severity": image.get("severity"),
        "service": image.get("service"),
        "group_id": image.get("group_id"),
        "alert_count": image.get("alert_count"),
        "created_at": created,
        "updated_at": max((m for m in moments if m), default=created),
    }


def _investigation_event(
    kind: ChangeKind, image: dict[str, Any], pk_parts: list[str]
) -> tuple[str | None, dict[str, Any]]:
    status = str(image.get("status"))
    if kind == "INSERT":
        name: str | None = INVESTIGATION_STARTED
    else:
        name = INVESTIGATION_COMPLETED if status in _FINISHED_INVESTIGATION else None
    body = image.get("body")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            body = None
    incident_id = body.get("incident_id") if isinstance(body, dict) else None
    investigation_id = "#".join(pk_parts[3:]) or None
    return name, {"id": investigation_id, "incident_id": incident_id, "status": status}


def _approval_event(kind: ChangeKind, image: dict[str, Any]) -> str | None:
    if kind == "INSERT":
        return APPROVAL_REQUESTED
    # A pending approval changes too (a retried workflow step's new task token): only a decision is told.
    return APPROVAL_DECIDED if image.get("status") in _DECIDED_APPROVAL else None


def iso(value: Any) -> str | None:
    """A stored moment (PynamoDB's `2024-06-05T10:00:00.000000+0000`) as every response writes one: UTC with `Z`."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return utc_iso(moment)


def iso_from_epoch(seconds: float) -> str:
    """A stream record's ApproximateCreationDateTime (epoch seconds) as ISO 8601 UTC."""
    return utc_iso(datetime.fromtimestamp(seconds, UTC))

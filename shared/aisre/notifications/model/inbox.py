"""In-app notifications (seed 002 /api/v1/notifications): one item per event per principal, read or not.

An item's id begins with the moment it arrived (`ntf-<UTC digits>-<hash>`), so ids sort as arrival does: the
inbox lists newest first by id, and "read all" is a boundary id below which every item counts as read (one write,
whatever the number of items), while an item that arrives later is above it and unread."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from aisre.notifications.model.events import NotificationEvent

ID_PREFIX = "ntf-"
_STAMP = "%Y%m%d%H%M%S%f"
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class InboxItem:
    id: str
    workspace_id: str
    principal: str
    event_id: str
    event_type: str
    title: str
    severity: str
    created_at: datetime
    message: str | None = None
    service: str | None = None
    incident_id: str | None = None
    link: str | None = None
    read_at: datetime | None = None

    def read_by(self, boundary: str | None) -> bool:
        """Read on its own, or arrived before the last "read all" (`boundary`)."""
        return self.read_at is not None or (boundary is not None and self.id < boundary)


def item_id(arrived_at: datetime, event_id: str, principal: str) -> str:
    digest = hashlib.sha256(f"{event_id}\n{principal}".encode()).hexdigest()[:10]
    return f"{ID_PREFIX}{arrived_at.astimezone(UTC).strftime(_STAMP)}-{digest}"


def read_boundary(now: datetime) -> str:
    """The id every item that arrived up to `now` sorts below (`~` sorts after every character an id holds)."""
    return f"{ID_PREFIX}{now.astimezone(UTC).strftime(_STAMP)}~"


def inbox_item(workspace_id: str, principal: str, event: NotificationEvent, arrived_at: datetime) -> InboxItem:
    return InboxItem(
        id=item_id(arrived_at, event.event_id, principal),
        workspace_id=workspace_id,
        principal=principal,
        event_id=event.event_id,
        event_type=event.event_type.value,
        title=event.title[:500],
        severity=event.severity,
        created_at=arrived_at,
        message=event.summary[:MAX_MESSAGE] if event.summary else None,
        service=event.service,
        incident_id=event.incident_id,
        link=event.link,
    )

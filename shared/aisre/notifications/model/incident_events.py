"""Notification events from incidents: what the ingest path and the lifecycle publish, in the shape channels render.

A grouped child of a storm's group opens no conversation of its own: its opening is an update of the group's first
message (`is_group_update`); its acknowledgement or resolution is not announced (the group's root is)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from aisre.incidents.model.incident import Incident
from aisre.notifications.model.events import EventType, NotificationEvent


def event_id(event_type: EventType, workspace_id: str, subject: str, moment: datetime | None = None) -> str:
    """Stable per (type, subject[, moment]): the same fact handed over twice is one event, hence one delivery each."""
    suffix = f":{moment.isoformat()}" if moment is not None else ""
    return f"{event_type.value}:{workspace_id}:{subject}{suffix}"


def incident_link(base_url: str, incident: Incident) -> str | None:
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/incidents/{incident.id}"


def from_incident(
    incident: Incident,
    event_type: EventType,
    *,
    occurred_at: datetime,
    base_url: str = "",
    summary: str | None = None,
    data: Mapping[str, Any] | None = None,
    approval_id: str | None = None,
    recipients: tuple[str, ...] = (),
    subject: str | None = None,
    moment_in_id: bool = False,
) -> NotificationEvent:
    """`subject` tells apart two events of one type on one incident (an approval, an investigation); the
    incident by default. `moment_in_id` does the same by time (an escalation's rounds)."""
    subject = subject or approval_id or incident.id
    return NotificationEvent(
        event_id=event_id(event_type, incident.workspace_id, subject, occurred_at if moment_in_id else None),
        event_type=event_type,
        workspace_id=incident.workspace_id,
        occurred_at=occurred_at,
        severity=incident.severity.value,
        title=incident.title,
        service=incident.service,
        summary=summary if summary is not None else (incident.description[:500] or None),
        incident_id=incident.id,
        group_id=incident.group_id or incident.id,
        state=incident.state.value,
        alert_count=incident.alert_count,
        labels=dict(incident.labels),
        link=incident_link(base_url, incident),
        approval_id=approval_id,
        recipients=recipients,
        data=dict(data or {}),
    )


def is_group_update(event: NotificationEvent) -> bool:
    """A storm's later incident: it updates the group's conversation instead of starting one."""
    return (
        event.event_type is EventType.INCIDENT_OPENED
        and event.group_id is not None
        and event.incident_id is not None
        and event.group_id != event.incident_id
    )


def announced(incident: Incident) -> bool:
    """Whether an acknowledgement or resolution of `incident` is announced: a group's root's is, a child's is not."""
    return not incident.group_id or incident.group_id == incident.id


def folded_count(event: NotificationEvent) -> int:
    """How many of a group's later incidents a group update stands for (the subscriber coalesces those of one
    delivery of alerts into one event)."""
    count = event.data.get("folded_incidents", 1)
    return count if isinstance(count, int) and count >= 1 else 1


def coalesce_openings(events: list[NotificationEvent]) -> list[NotificationEvent]:
    """New incidents' events, a group's later incidents of one publication as one event (the newest, counting the
    rest), so a storm delivered in one payload is one queued message per group, not one per incident."""
    kept: list[NotificationEvent] = []
    children: dict[str, list[NotificationEvent]] = {}
    for event in events:
        if is_group_update(event):
            children.setdefault(event.conversation_key, []).append(event)
        else:
            kept.append(event)
    for group in children.values():
        newest = max(group, key=lambda item: item.occurred_at)
        kept.append(replace(newest, data={**newest.data, "folded_incidents": len(group)}))
    return kept


def is_page(event: NotificationEvent) -> bool:
    """An escalation's page (service/escalation.py puts what it paged under `data["escalation"]`)."""
    return "escalation" in event.data

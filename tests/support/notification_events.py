"""NotificationEvents for tests: a plausible incident event, any field changed by keyword."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aisre.notifications.model.channels import Channel, ChannelType
from aisre.notifications.model.events import EventType, NotificationEvent


def an_event(event_type: EventType = EventType.INCIDENT_OPENED, **changes: Any) -> NotificationEvent:
    fields: dict[str, Any] = {
        "event_id": f"evt-{uuid.uuid4().hex[:12]}",
        "event_type": event_type,
        "workspace_id": "ws-test",
        "occurred_at": datetime(2024, 6, 5, 12, 30, tzinfo=UTC),
        "severity": "critical",
        "title": "checkout 5xx rate above 5%",
        "service": "checkout",
        "summary": "The new release's database pool is exhausted",
        "incident_id": "inc-0123456789ab",
        "state": "open",
        "alert_count": 3,
        "labels": {"namespace": "shop", "alertname": "HighErrorRate"},
        "link": "https://aisre.example.com/incidents/inc-0123456789ab",
        "data": {"root_cause": "database pool exhausted", "confidence": 0.82},
    }
    fields.update(changes)
    return NotificationEvent(**fields)


def a_channel(kind: ChannelType, **config: Any) -> Channel:
    return Channel(
        id=f"ch-{uuid.uuid4().hex[:8]}", workspace_id="ws-test", name=f"{kind.value} test", type=kind, config=config
    )

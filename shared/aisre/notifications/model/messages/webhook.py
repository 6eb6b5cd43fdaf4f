"""The outgoing webhooks' payload, in the shape the Standard Webhooks specification recommends:
{"type": "<event name>", "timestamp": "<ISO 8601>", "data": {...}}, the name from WEBHOOK_EVENT_NAMES."""

from __future__ import annotations

import json
from typing import Any

from aisre.notifications.model.events import WEBHOOK_EVENT_NAMES, NotificationEvent


def webhook_event_name(event: NotificationEvent) -> str:
    return WEBHOOK_EVENT_NAMES.get(event.event_type, event.event_type.value)


def webhook_payload(event: NotificationEvent) -> dict[str, Any]:
    data = event.to_dict()
    # The receiver's name for the event is `type`; ours stays in data (incident.updated is two of ours).
    data["event"] = data.pop("event_type")
    return {"type": webhook_event_name(event), "timestamp": event.occurred_at.isoformat(), "data": data}


def webhook_body(event: NotificationEvent) -> bytes:
    """The exact bytes sent and signed. `default=str`: an event's data may carry a value JSON has no type for."""
    return json.dumps(webhook_payload(event), separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")

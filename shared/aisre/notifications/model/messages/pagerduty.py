"""PagerDuty Events API v2 (POST /v2/enqueue): trigger an alert for the incident's conversation, then
acknowledge and resolve it under the same dedup_key; later events of an open conversation (escalated, diagnosis
ready, approval requested) trigger again under that key, which PagerDuty folds into the same alert."""

from __future__ import annotations

from typing import Any

from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.messages.text import (
    conversation_alias,
    cut,
    detail_line,
    diagnosis,
    headline,
    one_line,
    printable,
    safe_link,
)

SUMMARY_MAX = 1024
SOURCE_MAX = 255
DEDUP_KEY_MAX = 255
DETAIL_MAX = 8000

# PagerDuty takes critical, error, warning and info.
SEVERITIES = {"critical": "critical", "high": "error", "error": "error", "warning": "warning", "info": "info"}

ACTIONS = {EventType.INCIDENT_ACKNOWLEDGED: "acknowledge", EventType.INCIDENT_RESOLVED: "resolve"}


def pagerduty_dedup_key(event: NotificationEvent) -> str:
    return conversation_alias(event, DEDUP_KEY_MAX)


def pagerduty_action(event: NotificationEvent) -> str:
    return ACTIONS.get(event.event_type, "trigger")


def pagerduty_event(event: NotificationEvent, routing_key: str, dedup_key: str | None = None) -> dict[str, Any]:
    """The event to enqueue. `dedup_key` is the conversation's (the first event's answer), else derived."""
    key = dedup_key or pagerduty_dedup_key(event)
    action = pagerduty_action(event)
    body: dict[str, Any] = {"routing_key": routing_key, "event_action": action, "dedup_key": key}
    if action != "trigger":
        return body  # acknowledge and resolve take only the key
    summary = one_line(f"{event.title} ({headline(event)})")
    details: dict[str, Any] = {
        "event": event.event_type.value,
        "workspace_id": event.workspace_id,
        "state": event.state,
        "alert_count": event.alert_count,
        "labels": {cut(str(k), 100): cut(printable(str(v)), 500) for k, v in list(event.labels.items())[:50]},
    }
    for name, value in (
        ("incident_id", event.incident_id),
        ("group_id", event.group_id),
        ("approval_id", event.approval_id),
        ("detail", detail_line(event)),
        ("diagnosis", diagnosis(event)),
    ):
        if value:
            details[name] = cut(printable(value), DETAIL_MAX)
    if event.recipients:
        details["paging"] = [cut(name, 200) for name in event.recipients[:20]]
    payload: dict[str, Any] = {
        "summary": cut(printable(summary), SUMMARY_MAX),
        "source": cut(printable(event.service or "aisre"), SOURCE_MAX),
        "severity": SEVERITIES.get(event.severity, "warning"),
        "timestamp": event.occurred_at.isoformat(),
        "class": event.event_type.value,
        "custom_details": details,
    }
    if event.service:
        payload["component"] = cut(printable(event.service), SOURCE_MAX)
    namespace = event.labels.get("namespace")
    if namespace:
        payload["group"] = cut(printable(namespace), SOURCE_MAX)
    body["payload"] = payload
    body["client"] = "aisre"
    link = safe_link(event.link)
    if link:
        body["client_url"] = link
        body["links"] = [{"href": link, "text": "Open the incident in aisre"}]
    return body

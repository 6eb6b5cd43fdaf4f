"""Microsoft Teams: an Adaptive Card 1.4 in the message envelope a Teams Workflows ("Post to a channel when a
webhook request is received") or incoming webhook takes: {"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "content": <card>}]}. A webhook's card cannot call back (Action.Submit
needs a bot), so it links to the incident; acknowledging happens there or in Slack."""

from __future__ import annotations

from typing import Any

from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.messages.text import (
    cut,
    detail_line,
    diagnosis,
    headline,
    printable,
    safe_link,
    severity_label,
)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
# Teams refuses a message over ~28 KB: every text is cut well inside it.
TITLE_MAX = 500
TEXT_MAX = 4000
FACT_MAX = 300

_COLORS = {"critical": "Attention", "high": "Attention", "warning": "Warning"}
_EVENT_COLORS = {EventType.INCIDENT_RESOLVED: "Good", EventType.INCIDENT_ACKNOWLEDGED: "Accent"}


def teams_message(event: NotificationEvent) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": adaptive_card(event)}],
    }


def adaptive_card(event: NotificationEvent) -> dict[str, Any]:
    color = _EVENT_COLORS.get(event.event_type) or _COLORS.get(event.severity, "Default")
    body: list[dict[str, Any]] = [
        _text(f"{severity_label(event)} · {headline(event)}", 200, weight="Bolder", color=color, size="Small"),
        _text(event.title, TITLE_MAX, weight="Bolder", size="Large"),
    ]
    detail = detail_line(event)
    if detail:
        body.append(_text(detail, 1000))
    facts = [
        ("Severity", event.severity or "unknown"),
        ("Service", event.service or "—"),
        ("State", event.state or "—"),
        ("Alerts", str(event.alert_count)),
    ]
    if event.incident_id:
        facts.append(("Incident", event.incident_id))
    body.append(
        {
            "type": "FactSet",
            "facts": [{"title": name, "value": cut(printable(value), FACT_MAX)} for name, value in facts],
        }
    )
    found = diagnosis(event)
    if found:
        body.append(_text("Diagnosis", 20, weight="Bolder", spacing="Medium"))
        body.append(_text(found, TEXT_MAX))
    card: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    link = safe_link(event.link)
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open incident", "url": link}]
    return card


def _text(text: str, limit: int, **style: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": cut(printable(text), limit), "wrap": True, **style}

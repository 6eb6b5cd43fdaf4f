"""Opsgenie's Alert API: create an alert whose alias is the incident conversation's key, then acknowledge and
close it by that alias (`?identifierType=alias`); later events of an open conversation add a note to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

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
    severity_label,
)

# The Alert API's documented limits (characters).
MESSAGE_MAX = 130
ALIAS_MAX = 512
DESCRIPTION_MAX = 15_000
ENTITY_MAX = 512
SOURCE_MAX = 100
NOTE_MAX = 25_000
TAG_MAX = 50
TAGS_MAX = 20
DETAILS_TOTAL_MAX = 8000

PRIORITIES = {"critical": "P1", "high": "P2", "error": "P2", "warning": "P3", "medium": "P3", "low": "P4", "info": "P5"}
SOURCE = "aisre"


@dataclass(frozen=True)
class OpsgenieRequest:
    """One call: the path under the API's base URL (with its query) and the JSON body."""

    path: str
    body: dict[str, Any]


def opsgenie_alias(event: NotificationEvent) -> str:
    return conversation_alias(event, ALIAS_MAX)


def opsgenie_request(event: NotificationEvent, alias: str | None = None, *, existing: bool = False) -> OpsgenieRequest:
    """The call for `event`: acknowledge or close the alert of `alias` (the conversation's, derived when None);
    else a note on it when the conversation `existing`ly has one (and the event does not open another); else
    create it."""
    key = alias or opsgenie_alias(event)
    by_alias = f"/v2/alerts/{quote(key, safe='')}"
    if event.event_type is EventType.INCIDENT_ACKNOWLEDGED:
        return OpsgenieRequest(f"{by_alias}/acknowledge?identifierType=alias", _action_body(event))
    if event.event_type is EventType.INCIDENT_RESOLVED:
        return OpsgenieRequest(f"{by_alias}/close?identifierType=alias", _action_body(event))
    if existing and event.event_type is not EventType.INCIDENT_OPENED:
        return OpsgenieRequest(f"{by_alias}/notes?identifierType=alias", _action_body(event))
    return OpsgenieRequest("/v2/alerts", create_body(event, key))


def create_body(event: NotificationEvent, alias: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message": cut(one_line(printable(event.title)) or headline(event), MESSAGE_MAX),
        "alias": cut(alias, ALIAS_MAX),
        "description": cut(_description(event), DESCRIPTION_MAX),
        "priority": PRIORITIES.get(event.severity, "P3"),
        "source": SOURCE,
        "tags": _tags(event),
        "details": _details(event),
    }
    if event.service:
        body["entity"] = cut(printable(event.service), ENTITY_MAX)
    return body


def _action_body(event: NotificationEvent) -> dict[str, Any]:
    note = "\n".join(line for line in (headline(event), detail_line(event), diagnosis(event)) if line)
    return {"source": SOURCE, "user": SOURCE, "note": cut(printable(note), NOTE_MAX)}


def _description(event: NotificationEvent) -> str:
    lines = [f"{severity_label(event)} · {headline(event)}", printable(event.title)]
    detail = detail_line(event)
    if detail:
        lines.append(printable(detail))
    found = diagnosis(event)
    if found:
        lines += ["", "Diagnosis:", printable(found)]
    link = safe_link(event.link)
    if link:
        lines += ["", link]
    return "\n".join(lines)


def _tags(event: NotificationEvent) -> list[str]:
    tags = ["aisre", f"severity:{event.severity}"]
    if event.service:
        tags.append(f"service:{event.service}")
    tags += [f"{key}:{value}" for key, value in event.labels.items()]
    seen: list[str] = []
    for tag in tags:
        clean = cut(one_line(printable(tag)), TAG_MAX)
        if clean and clean not in seen:
            seen.append(clean)
    return seen[:TAGS_MAX]


def _details(event: NotificationEvent) -> dict[str, str]:
    """String values only (the API's map), within its total size."""
    wanted = {
        "workspace_id": event.workspace_id,
        "incident_id": event.incident_id,
        "group_id": event.group_id,
        "state": event.state,
        "alert_count": str(event.alert_count),
        "event": event.event_type.value,
        "link": safe_link(event.link),
    }
    details: dict[str, str] = {}
    used = 0
    for key, value in wanted.items():
        if not value:
            continue
        text = cut(printable(value), 1000)
        if used + len(key) + len(text) > DETAILS_TOTAL_MAX:
            break
        details[key] = text
        used += len(key) + len(text)
    return details

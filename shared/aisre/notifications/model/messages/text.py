"""The words every renderer shares (a headline per event type, the diagnosis line, the conversation's key) and
the two things untrusted alert text needs before it goes anywhere: escaping for the format, and cutting to the
receiving API's limit without breaking an entity the escaping made."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from typing import Any

from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.incident_events import folded_count, is_group_update

ELLIPSIS = "…"

HEADLINES: dict[EventType, str] = {
    EventType.INCIDENT_OPENED: "Incident opened",
    EventType.INCIDENT_ESCALATED: "Incident escalated",
    EventType.INCIDENT_ACKNOWLEDGED: "Incident acknowledged",
    EventType.INCIDENT_RESOLVED: "Incident resolved",
    EventType.INVESTIGATION_COMPLETED: "Diagnosis ready",
    EventType.APPROVAL_REQUESTED: "Approval requested",
    EventType.SLO_BURN: "SLO burning",
    EventType.TEST: "Test notification",
}

# An entity cut in half by a length limit ("&am") would show as text, or break the receiver's parser.
_DANGLING_ENTITY = re.compile(r"&[#A-Za-z0-9]{0,8}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f\u2028\u2029]+")


def cut(text: str, limit: int) -> str:
    """`text` at most `limit` characters long, an ellipsis marking a cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS if limit > 0 else ""


def escape_cut(text: str, limit: int, escape: Callable[[str], str]) -> str:
    """`text` escaped, then cut to `limit` characters of escaped text without leaving half an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept = _DANGLING_ENTITY.sub("", escaped[: max(limit - 1, 0)])
    return kept + ELLIPSIS if limit > 0 else ""


def one_line(text: str) -> str:
    """Line breaks and control characters as spaces (an email subject, a one-line summary)."""
    return _LINE_BREAKS.sub(" ", text).strip()


def printable(text: str) -> str:
    """Control characters (other than newlines and tabs) dropped: no receiver renders them, some refuse them."""
    return _CONTROL.sub("", text)


def escape_slack(text: str) -> str:
    """Slack's mrkdwn: &, < and > are its control characters (`<!channel>`, `<url|label>`); nothing else is."""
    return printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_html(text: str) -> str:
    """HTML text and attribute values (email; Telegram's HTML takes the same entities)."""
    return html.escape(printable(text), quote=True)


def headline(event: NotificationEvent) -> str:
    if is_group_update(event):
        count = folded_count(event)
        return f"{count} more incident{'s' if count != 1 else ''} in this group"
    return HEADLINES.get(event.event_type, event.event_type.value)


def severity_label(event: NotificationEvent) -> str:
    return (event.severity or "unknown").upper()


def confidence_text(value: Any) -> str | None:
    """A diagnosis' confidence as a percentage: 0..1 is a fraction, 1..100 already a percentage."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    if number != number or number < 0:  # NaN, negative: not a confidence
        return None
    percent = number * 100 if number <= 1 else number
    return f"{min(percent, 100):.0f}%"


def diagnosis(event: NotificationEvent) -> str | None:
    """The diagnosis' line: the event's summary, else the data's root cause, with the confidence when known."""
    root_cause = event.data.get("root_cause")
    text = event.summary or (root_cause if isinstance(root_cause, str) else None)
    if not text:
        return None
    confidence = confidence_text(event.data.get("confidence"))
    return f"{text} (confidence {confidence})" if confidence else text


def detail_line(event: NotificationEvent) -> str | None:
    """What an event adds beyond its incident: who is paged, who acknowledged, which action awaits approval."""
    data = event.data
    if is_group_update(event):
        return f"Latest: {event.title}"
    if event.event_type is EventType.INCIDENT_ESCALATED and event.recipients:
        return "Paging " + ", ".join(event.recipients)
    if event.event_type in (EventType.INCIDENT_ACKNOWLEDGED, EventType.INCIDENT_RESOLVED):
        actor = data.get("actor")
        verb = "Acknowledged" if event.event_type is EventType.INCIDENT_ACKNOWLEDGED else "Resolved"
        return f"{verb} by {actor}" if isinstance(actor, str) and actor else None
    if event.event_type is EventType.APPROVAL_REQUESTED:
        action = data.get("action")
        requested_by = data.get("requested_by")
        if isinstance(action, str) and action:
            who = f" (asked by {requested_by})" if isinstance(requested_by, str) and requested_by else ""
            return f"Action awaiting approval: {action}{who}"
    if event.event_type is EventType.SLO_BURN:
        burn = data.get("burn_rate")
        if isinstance(burn, (int, float)) and not isinstance(burn, bool):
            return f"Burn rate {burn:g}x"
    return None


def conversation_alias(event: NotificationEvent, limit: int = 255) -> str:
    """One key per incident conversation, the workspace in it (PagerDuty's dedup_key, Opsgenie's alias, the
    email thread's Message-ID): a hash when the ids would not fit."""
    alias = f"aisre/{event.workspace_id}/{event.conversation_key}"
    if len(alias) <= limit:
        return alias
    return "aisre/" + hashlib.sha256(alias.encode("utf-8")).hexdigest()


def safe_link(link: str | None) -> str | None:
    """The event's link, when it is an http(s) URL (anything else is not offered as a link)."""
    if link and link.startswith(("https://", "http://")) and not any(ch.isspace() for ch in link):
        return link
    return None

"""Telegram's Bot API sendMessage with parse_mode HTML: the alert's text HTML-escaped (Telegram's HTML takes
&lt; &gt; &amp; &quot; and numeric entities), the message within its 4096 characters; a later event replies to
the conversation's first message."""

from __future__ import annotations

from typing import Any

from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.text import (
    detail_line,
    diagnosis,
    escape_cut,
    escape_html,
    headline,
    safe_link,
    severity_label,
)

MESSAGE_MAX = 4096
_SEVERITY_MARK = {"critical": "🔴", "high": "🟠", "warning": "🟡", "info": "🔵"}


def telegram_message(event: NotificationEvent, chat_id: str, reply_to: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "chat_id": chat_id,
        "text": telegram_text(event),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if reply_to is not None:
        message["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return message


def telegram_text(event: NotificationEvent) -> str:
    """Each part escaped and cut on its own, the parts' limits adding up to less than the message's: a cut
    never falls inside a tag or an entity."""
    mark = _SEVERITY_MARK.get(event.severity, "⚪")
    parts = [
        f"{mark} <b>{escape_cut(severity_label(event), 20, escape_html)} · {escape_html(headline(event))}</b>",
        f"<b>{escape_cut(event.title, 500, escape_html)}</b>",
    ]
    detail = detail_line(event)
    if detail:
        parts.append(escape_cut(detail, 400, escape_html))
    facts = [
        ("Service", event.service or "—"),
        ("State", event.state or "—"),
        ("Alerts", str(event.alert_count)),
    ]
    if event.incident_id:
        facts.append(("Incident", event.incident_id))
    parts.append("\n".join(f"{name}: <code>{escape_cut(value, 150, escape_html)}</code>" for name, value in facts))
    found = diagnosis(event)
    if found:
        parts.append("<i>Diagnosis:</i> " + escape_cut(found, 1600, escape_html))
    link = safe_link(event.link)
    if link and len(escape_html(link)) <= 600:
        parts.append(f'<a href="{escape_html(link)}">Open the incident</a>')
    return "\n\n".join(parts)

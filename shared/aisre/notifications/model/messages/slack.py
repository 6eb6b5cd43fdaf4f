"""Slack Block Kit messages: the incident's card (header with severity and title; severity, service, state and
alert count; the diagnosis; a link and the Acknowledge / Approve buttons) and the reply a later event posts in
the card's thread. Alert text is mrkdwn-escaped and cut to Block Kit's limits."""

from __future__ import annotations

from typing import Any

from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.messages.text import (
    cut,
    detail_line,
    diagnosis,
    escape_cut,
    escape_slack,
    headline,
    one_line,
    printable,
    safe_link,
    severity_label,
)
from aisre.notifications.model.slack_interactions import (
    ACKNOWLEDGE_ACTION,
    APPROVE_ACTION,
    OPEN_ACTION,
    ButtonValue,
)

# Block Kit's documented limits (characters).
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
CONTEXT_TEXT_MAX = 2000
BUTTON_TEXT_MAX = 75
BUTTON_URL_MAX = 3000
BUTTON_VALUE_MAX = 2000
# The message's top-level `text`: the notification's and screen readers' fallback.
FALLBACK_TEXT_MAX = 3000

SEVERITY_EMOJI = {"critical": ":red_circle:", "high": ":large_orange_circle:", "warning": ":large_yellow_circle:"}
_SETTLED_STATES = frozenset({"acknowledged", "resolved", "closed"})

Block = dict[str, Any]


def slack_message(event: NotificationEvent, *, approve: bool = True) -> dict[str, Any]:
    """The incident's card: the first message of a conversation, and what chat.update makes it on later events
    (`approve=False` there: an approval's button belongs to the reply that asks for it)."""
    blocks: list[Block] = [_header(event), _section(f"*{escape_slack(headline(event))}*" + _detail(event))]
    blocks.append({"type": "section", "fields": _fields(event)})
    found = diagnosis(event)
    if found:
        blocks.append(_section("*Diagnosis*\n" + escape_cut(found, SECTION_TEXT_MAX - 20, escape_slack)))
    blocks.append(_context(event))
    buttons = _buttons(event, link=True, approve=approve)
    if buttons:
        blocks.append({"type": "actions", "block_id": "aisre_actions", "elements": buttons})
    return {"text": fallback_text(event), "blocks": blocks}


def slack_reply(event: NotificationEvent) -> dict[str, Any]:
    """A later event of the conversation, as a reply in the card's thread: what happened, the diagnosis, and
    the buttons it calls for (Approve on an approval request)."""
    state = f" · state *{escape_slack(event.state)}*" if event.state else ""
    count = f" · {event.alert_count} alerts" if event.alert_count > 1 else ""
    blocks: list[Block] = [_section(f"*{escape_slack(headline(event))}*{state}{count}" + _detail(event))]
    found = diagnosis(event)
    if found:
        blocks.append(_section("*Diagnosis*\n" + escape_cut(found, SECTION_TEXT_MAX - 20, escape_slack)))
    buttons = _buttons(event, link=False, approve=True)
    if buttons:
        blocks.append({"type": "actions", "block_id": "aisre_reply_actions", "elements": buttons})
    return {"text": fallback_text(event), "blocks": blocks}


def fallback_text(event: NotificationEvent) -> str:
    text = f"[{severity_label(event)}] {headline(event)}: {event.title}"
    return escape_cut(text, FALLBACK_TEXT_MAX, escape_slack)


def _header(event: NotificationEvent) -> Block:
    # plain_text: nothing in it is markup, so the title needs no escaping, only the limit.
    emoji = SEVERITY_EMOJI.get(event.severity, ":white_circle:")
    text = cut(one_line(printable(f"{emoji} {severity_label(event)} · {event.title}")), HEADER_MAX)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(mrkdwn, SECTION_TEXT_MAX)}}


def _detail(event: NotificationEvent) -> str:
    detail = detail_line(event)
    return "\n" + escape_cut(detail, 1000, escape_slack) if detail else ""


def _fields(event: NotificationEvent) -> list[Block]:
    pairs = (
        ("Severity", event.severity or "unknown"),
        ("Service", event.service or "—"),
        ("State", event.state or "—"),
        ("Alerts", str(event.alert_count)),
    )
    return [
        {"type": "mrkdwn", "text": f"*{name}*\n" + escape_cut(value, FIELD_TEXT_MAX - len(name) - 3, escape_slack)}
        for name, value in pairs
    ]


def _context(event: NotificationEvent) -> Block:
    parts = [f"workspace `{escape_slack(event.workspace_id)}`"]
    if event.incident_id:
        parts.insert(0, f"incident `{escape_slack(event.incident_id)}`")
    if event.group_id and event.group_id != event.incident_id:
        parts.append(f"group `{escape_slack(event.group_id)}`")
    text = cut(" · ".join(parts), CONTEXT_TEXT_MAX)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _buttons(event: NotificationEvent, *, link: bool, approve: bool) -> list[Block]:
    buttons: list[Block] = []
    url = safe_link(event.link)
    if link and url and len(url) <= BUTTON_URL_MAX:
        buttons.append(_button("Open incident", OPEN_ACTION, url=url))
    settled = event.state in _SETTLED_STATES or event.event_type in (
        EventType.INCIDENT_ACKNOWLEDGED,
        EventType.INCIDENT_RESOLVED,
    )
    if event.incident_id and not settled:
        value = ButtonValue(event.workspace_id, incident_id=event.incident_id).encode()
        buttons.append(_button("Acknowledge", ACKNOWLEDGE_ACTION, value=value, style="primary"))
    if approve and event.event_type is EventType.APPROVAL_REQUESTED and event.approval_id:
        value = ButtonValue(event.workspace_id, incident_id=event.incident_id, approval_id=event.approval_id).encode()
        buttons.append(_button("Approve", APPROVE_ACTION, value=value, style="danger", confirm=_approve_confirm(event)))
    return [button for button in buttons if len(button.get("value", "")) <= BUTTON_VALUE_MAX]


def _button(
    label: str,
    action_id: str,
    *,
    url: str | None = None,
    value: str | None = None,
    style: str | None = None,
    confirm: Block | None = None,
) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": cut(label, BUTTON_TEXT_MAX)},
        "action_id": action_id,
    }
    if url is not None:
        button["url"] = url
    if value is not None:
        button["value"] = value
    if style is not None:
        button["style"] = style
    if confirm is not None:
        button["confirm"] = confirm
    return button


def _approve_confirm(event: NotificationEvent) -> Block:
    """Approving carries an action out on a cluster: Slack asks the person to confirm first."""
    action = event.data.get("action")
    what = f"`{escape_cut(action, 200, escape_slack)}`" if isinstance(action, str) and action else "the action"
    return {
        "title": {"type": "plain_text", "text": "Approve and run?"},
        "text": {"type": "mrkdwn", "text": cut(f"Approving carries out {what} now, as you.", 300)},
        "confirm": {"type": "plain_text", "text": "Approve"},
        "deny": {"type": "plain_text", "text": "Cancel"},
    }

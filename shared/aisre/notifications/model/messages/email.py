"""Email: a one-line subject, a plain-text body and an HTML body (every value HTML-escaped), sent together as
multipart/alternative by the SMTP and SES senders."""

from __future__ import annotations

from dataclasses import dataclass

from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.text import (
    cut,
    detail_line,
    diagnosis,
    escape_html,
    headline,
    one_line,
    printable,
    safe_link,
    severity_label,
)

SUBJECT_MAX = 200
TITLE_MAX = 1000
DIAGNOSIS_MAX = 10_000


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def email_message(event: NotificationEvent) -> EmailContent:
    title = cut(printable(event.title), TITLE_MAX)
    rows = [
        ("Severity", event.severity or "unknown"),
        ("Service", event.service or "—"),
        ("State", event.state or "—"),
        ("Alerts", str(event.alert_count)),
    ]
    if event.incident_id:
        rows.append(("Incident", event.incident_id))
    rows.append(("Workspace", event.workspace_id))
    detail = detail_line(event)
    found = diagnosis(event)
    found = cut(printable(found), DIAGNOSIS_MAX) if found else None
    link = safe_link(event.link)

    # The subject is a header: one line, no control characters, whatever the alert's title held.
    subject = cut(one_line(f"[{severity_label(event)}] {headline(event)}: {event.title}"), SUBJECT_MAX)

    lines = [f"{headline(event)}: {title}", ""]
    if detail:
        lines += [printable(detail), ""]
    lines += [f"{name}: {printable(value)}" for name, value in rows]
    if found:
        lines += ["", "Diagnosis:", found]
    if link:
        lines += ["", f"Open the incident: {link}"]
    text = "\n".join(lines) + "\n"

    cells = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{escape_html(name)}</th>'
        f"<td>{escape_html(value)}</td></tr>"
        for name, value in rows
    )
    parts = [
        f"<p><strong>{escape_html(headline(event))}</strong></p>",
        f'<h2 style="margin:0 0 8px">{escape_html(title)}</h2>',
    ]
    if detail:
        parts.append(f"<p>{escape_html(detail)}</p>")
    parts.append(f"<table>{cells}</table>")
    if found:
        parts.append(f'<h3>Diagnosis</h3><p style="white-space:pre-wrap">{escape_html(found)}</p>')
    if link:
        parts.append(f'<p><a href="{escape_html(link)}">Open the incident</a></p>')
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">'
        + "".join(parts)
        + "</body></html>"
    )
    return EmailContent(subject=subject, text=text, html=html)

"""Who hears which event, across capabilities: the one place that knows both sides (see core/scope.py).

Subscribers are "module:function" names, imported when their event first fires, so the ingest Lambda does
not load the investigations package until a new incident asks for an investigation. Notifications' subscribers
only queue (notifications/subscribers.py): the delivery function routes and sends.
"""

from __future__ import annotations

_NOTIFY = "aisre.notifications.subscribers"

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    # New incidents (stored already, a batch per delivery): queue their investigation when automatic
    # investigation is on, and tell the people and systems who should hear (escalation starts there).
    "incident.opened": (
        "aisre.investigations.subscribers:investigate_new_incidents",
        f"{_NOTIFY}:notify_new_incidents",
    ),
    # Acknowledged (API, Slack, PagerDuty's sync): its conversations say so, its escalation stops.
    "incident.acknowledged": (f"{_NOTIFY}:notify_acknowledged",),
    # A resolved incident, with the note of how: it becomes knowledge for the next similar one.
    "incident.resolved": (
        "aisre.investigations.subscribers:remember_resolution",
        f"{_NOTIFY}:notify_resolved",
    ),
    # Resolved by its alerts: (workspace_id, incident_id, when).
    "incident.resolved_by_alert": (f"{_NOTIFY}:notify_resolved_by_alert",),
    # A diagnosis is ready.
    "investigation.completed": (f"{_NOTIFY}:notify_diagnosis",),
    # An action waits on a person's approval.
    "approval.requested": (f"{_NOTIFY}:notify_approval_requested",),
    # An approval was decided (approved and carried out, or rejected): a runbook run waiting on it goes on.
    "approval.decided": ("aisre.remediation.subscribers:continue_runbook_run",),
}

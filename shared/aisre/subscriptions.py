"""Who hears which event, across capabilities: the one place that knows both sides (see core/scope.py).

Subscribers are "module:function" names, imported when their event first fires, so the ingest Lambda does
not load the investigations package until a new incident asks for an investigation.
"""

from __future__ import annotations

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    # New incidents (stored already, a batch per delivery): queue their investigation when automatic
    # investigation is on.
    "incident.opened": ("aisre.investigations.subscribers:investigate_new_incidents",),
    # A resolved incident, with the note of how: it becomes knowledge for the next similar one.
    "incident.resolved": ("aisre.investigations.subscribers:remember_resolution",),
    # An approval was decided (approved and carried out, or rejected): a runbook run waiting on it goes on.
    "approval.decided": ("aisre.remediation.subscribers:continue_runbook_run",),
}

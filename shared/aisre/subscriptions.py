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
}

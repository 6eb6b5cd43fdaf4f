"""Bounded reads: a window's incidents newest first in pages, stopping at its start or the cap; who resolved them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aisre.incidents.model.incident import Incident, IncidentState
from aisre.insights.model.window import as_utc
from aisre.insights.ports import IncidentReads

PAGE_SIZE = 100
# The operator's resolve action (IncidentService.resolve); a resolution by alert records no action.
RESOLVE_ACTION = "resolve"


def incidents_since(
    reads: IncidentReads, workspace_id: str | None, since: datetime, at_most: int, state: IncidentState | None = None
) -> tuple[list[Incident], bool]:
    """The incidents created at or after `since`, newest first, at most `at_most`; True when more were left unread.
    The listing is newest first (docs/data-model.md), so the first older incident ends the read."""
    found: list[Incident] = []
    cursor: str | None = None
    while True:
        page = reads.list_incidents(workspace_id, state, min(PAGE_SIZE, at_most + 1), cursor)
        for incident in page.items:
            if as_utc(incident.created_at) < since:
                return found, False
            if len(found) >= at_most:
                return found, True
            found.append(incident)
        if page.cursor is None or not page.items:
            return found, False
        cursor = page.cursor


def resolved_by_person(
    reads: IncidentReads, workspace_id: str | None, incidents: Sequence[Incident], since: datetime, at_most: int
) -> tuple[set[str], bool]:
    """The ids among `incidents` a person resolved, from the workspace's activity (newest first, at most `at_most`
    records); True when the activity read stopped inside the window. An incident no one acted on (actions_taken 0)
    was resolved by its alerts for certain, so when none was acted on nothing is read."""
    acted_on = {
        incident.id for incident in incidents if incident.state is IncidentState.RESOLVED and incident.actions_taken > 0
    }
    if not acted_on:
        return set(), False
    records = reads.activity(workspace_id, at_most)
    people = {record.incident_id for record in records if record.action == RESOLVE_ACTION} & acted_on
    cut_short = len(records) >= at_most and as_utc(records[-1].created_at) >= since
    return people, cut_short

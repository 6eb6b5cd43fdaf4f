"""The insights' bounded reads: a window's incidents stop at its start or the cap, who resolved them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aisre.core.paging import Page
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState
from aisre.insights.service.reading import incidents_since, resolved_by_person
from tests.unit.test_insights_metrics import T0, incident


class FakeIncidents:
    """IncidentReads over a list, newest first, paged as the store pages: counts the pages read."""

    def __init__(self, incidents: list[Incident], actions: list[ActionRecord] | None = None):
        self._incidents = sorted(incidents, key=lambda item: item.created_at, reverse=True)
        self._actions = actions or []
        self.pages = 0
        self.activity_reads = 0

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]:
        self.pages += 1
        items = [item for item in self._incidents if state is None or item.state is state]
        start = int(cursor or 0)
        page = items[start : start + limit]
        more = start + limit < len(items)
        return Page(items=page, cursor=str(start + limit) if more else None)

    def activity(self, workspace_id: str | None, limit: int) -> list[ActionRecord]:
        self.activity_reads += 1
        return self._actions[:limit]


def test_the_read_stops_at_the_first_incident_older_than_the_window() -> None:
    incidents = [incident(n, created=T0 - timedelta(hours=n)) for n in range(300)]
    reads = FakeIncidents(incidents)
    found, truncated = incidents_since(reads, "ws", T0 - timedelta(hours=149, minutes=30), 5_000)
    assert len(found) == 150 and not truncated
    assert reads.pages == 2  # 100 a page: never the third


def test_the_read_stops_at_the_cap_and_says_so() -> None:
    reads = FakeIncidents([incident(n, created=T0 - timedelta(minutes=n)) for n in range(250)])
    found, truncated = incidents_since(reads, "ws", T0 - timedelta(days=1), 120)
    assert len(found) == 120 and truncated
    exact, more = incidents_since(FakeIncidents([incident(n) for n in range(120)]), "ws", T0 - timedelta(days=1), 120)
    assert len(exact) == 120 and not more


def test_only_incidents_a_person_resolved_count_as_theirs_and_untouched_ones_read_no_activity() -> None:
    by_alert = incident(1, resolve_after=5)
    untouched = FakeIncidents([by_alert])
    assert resolved_by_person(untouched, "ws", [by_alert], T0, 100) == (set(), False)
    assert untouched.activity_reads == 0

    acked_then_alert = incident(2, ack_after=1, resolve_after=5, actions=1)
    by_person = incident(3, ack_after=1, resolve_after=9, actions=2)
    now = T0 + timedelta(minutes=10)
    actions = [
        ActionRecord(incident_id=by_person.id, action="resolve", outcome="success", actor="alice", created_at=now),
        ActionRecord(incident_id=by_person.id, action="acknowledge", outcome="success", actor="a", created_at=now),
        ActionRecord(
            incident_id=acked_then_alert.id, action="acknowledge", outcome="success", actor="b", created_at=now
        ),
    ]
    reads = FakeIncidents([by_alert, acked_then_alert, by_person], actions)
    people, cut_short = resolved_by_person(reads, "ws", [by_alert, acked_then_alert, by_person], T0, 100)
    assert people == {by_person.id} and not cut_short
    # The activity read capped inside the window says so.
    _, capped = resolved_by_person(reads, "ws", [by_person], datetime(2020, 1, 1, tzinfo=UTC), 2)
    assert capped

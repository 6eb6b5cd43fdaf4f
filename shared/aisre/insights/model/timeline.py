"""Incidents per day for a chart: created and resolved per calendar day (UTC) of a window, every day listed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from aisre.incidents.model.incident import Incident
from aisre.insights.model.window import Window, as_utc


@dataclass(frozen=True)
class DayCount:
    day: date
    created: int
    resolved: int


def daily_counts(incidents: Sequence[Incident], span: Window) -> list[DayCount]:
    """One entry per day of `span`, oldest first, zeros included (a chart's axis has no gaps). An incident counts as
    created on its creation's day; as resolved on its resolution's day, when that falls inside the window."""
    created = Counter(as_utc(incident.created_at).date() for incident in incidents)
    resolved = Counter(
        as_utc(incident.resolved_at).date() for incident in incidents if incident.resolved_at is not None
    )
    return [DayCount(day, created[day], resolved[day]) for day in span.day_list()]

"""The insights' pure math: pilot metrics, percentiles, the window, the daily timeline and the CSV rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.incidents.model.alert import Severity
from aisre.incidents.model.incident import Incident, IncidentState
from aisre.insights.model.export import CSV_HEADER, metric_rows, to_csv
from aisre.insights.model.metrics import NO_SERVICE, durations, percentile, pilot_metrics
from aisre.insights.model.timeline import daily_counts
from aisre.insights.model.window import window

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def incident(
    n: int,
    *,
    service: str | None = "checkout",
    severity: Severity = Severity.CRITICAL,
    ack_after: float | None = None,
    resolve_after: float | None = None,
    alerts: int = 1,
    actions: int = 0,
    created: datetime = T0,
) -> Incident:
    return Incident(
        id=f"inc-{n:012d}",
        workspace_id="ws",
        title="t",
        severity=severity,
        state=IncidentState.RESOLVED
        if resolve_after is not None
        else IncidentState.ACKNOWLEDGED
        if ack_after is not None
        else IncidentState.OPEN,
        source="prometheus",
        provider="generic",
        service=service,
        fingerprint=f"fp{n}",
        created_at=created,
        acknowledged_at=created + timedelta(minutes=ack_after) if ack_after is not None else None,
        resolved_at=created + timedelta(minutes=resolve_after) if resolve_after is not None else None,
        alert_count=alerts,
        actions_taken=actions,
    )


def test_pilot_metrics_of_a_mixed_window() -> None:
    incidents = [
        incident(1, ack_after=2, resolve_after=30, alerts=10, actions=2),  # a person resolved it
        incident(2, ack_after=4, alerts=5, service="payments", severity=Severity.WARNING),
        incident(3, resolve_after=10, alerts=3, service=None),  # its alerts resolved it
        incident(4, alerts=2),
    ]
    metrics = pilot_metrics(incidents, resolved_by_person={incidents[0].id})
    assert metrics.incidents == 4
    assert metrics.alerts_received == 20
    assert metrics.compression_ratio == 5.0
    assert metrics.mtta.count == 2 and metrics.mtta.mean_minutes == 3.0 and metrics.mtta.median_minutes == 3.0
    assert metrics.mttr.count == 2 and metrics.mttr.mean_minutes == 20.0 and metrics.mttr.max_minutes == 30.0
    assert metrics.by_service == {"checkout": 2, NO_SERVICE: 1, "payments": 1}
    assert metrics.by_severity == {"critical": 3, "warning": 1}
    assert metrics.by_state == {"resolved": 2, "acknowledged": 1, "open": 1}
    assert (metrics.resolved, metrics.resolved_by_alert, metrics.resolved_by_person) == (2, 1, 1)
    assert metrics.auto_resolved_share == 0.5


def test_no_incidents_gives_no_ratios_rather_than_a_division_by_zero() -> None:
    metrics = pilot_metrics([], resolved_by_person=set())
    assert metrics.compression_ratio is None and metrics.auto_resolved_share is None
    assert metrics.mtta.count == 0 and metrics.mtta.mean_minutes is None


def test_a_clock_behind_never_makes_a_negative_duration() -> None:
    early = incident(1, ack_after=-3, resolve_after=-1)
    metrics = pilot_metrics([early], resolved_by_person=set())
    assert metrics.mtta.mean_minutes == 0.0 and metrics.mttr.mean_minutes == 0.0


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200))
def test_durations_are_ordered_and_within_the_values(values: list[float]) -> None:
    figures = durations(values)
    assert figures.count == len(values)
    assert figures.mean_minutes is not None and figures.median_minutes is not None
    assert figures.p90_minutes is not None and figures.max_minutes is not None
    low, high = round(min(values), 2), round(max(values), 2)
    for figure in (figures.mean_minutes, figures.median_minutes, figures.p90_minutes):
        assert low - 0.01 <= figure <= high + 0.01
    assert figures.p90_minutes <= figures.max_minutes
    assert percentile(values, 0.0) == min(values) and percentile(values, 1.0) == max(values)


@given(
    st.lists(
        st.tuples(st.integers(1, 50), st.booleans(), st.booleans()),
        max_size=60,
    )
)
def test_resolved_splits_between_alert_and_person_and_alerts_are_at_least_incidents(
    rows: list[tuple[int, bool, bool]],
) -> None:
    incidents = [
        incident(n, alerts=alerts, resolve_after=5 if resolved else None)
        for n, (alerts, resolved, _) in enumerate(rows)
    ]
    people = {incidents[n].id for n, (_, resolved, person) in enumerate(rows) if person}
    metrics = pilot_metrics(incidents, people)
    assert metrics.resolved_by_alert + metrics.resolved_by_person == metrics.resolved
    assert metrics.resolved_by_person == sum(1 for _, resolved, person in rows if resolved and person)
    assert metrics.alerts_received == sum(alerts for alerts, _, _ in rows)
    if incidents:
        assert metrics.compression_ratio is not None and metrics.compression_ratio >= 1.0
    assert sum(metrics.by_service.values()) == sum(metrics.by_severity.values()) == len(incidents)


def test_window_covers_whole_utc_days_today_included() -> None:
    span = window(3, datetime(2026, 3, 10, 18, 30, tzinfo=UTC))
    assert span.since == datetime(2026, 3, 8, tzinfo=UTC)
    assert [day.isoformat() for day in span.day_list()] == ["2026-03-08", "2026-03-09", "2026-03-10"]
    with pytest.raises(ValueError):
        window(0, T0)
    with pytest.raises(ValueError):
        window(91, T0)


def test_daily_counts_list_every_day_and_count_resolutions_on_their_day() -> None:
    span = window(3, T0)
    incidents = [
        incident(1, created=T0 - timedelta(days=2), resolve_after=60 * 24),  # created day 1, resolved day 2
        incident(2, created=T0),
        incident(3, created=T0 - timedelta(hours=1)),
    ]
    points = [(p.day.isoformat(), p.created, p.resolved) for p in daily_counts(incidents, span)]
    assert points == [("2026-03-08", 1, 0), ("2026-03-09", 0, 1), ("2026-03-10", 2, 0)]


def test_csv_has_a_header_and_reads_back_the_figures() -> None:
    metrics = pilot_metrics(
        [incident(1, service="=cmd()", resolve_after=10, alerts=4), incident(2, alerts=2)], resolved_by_person=set()
    )
    text = to_csv(metric_rows(metrics, 7, truncated=False))
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_HEADER
    figures = {(metric, dimension): value for metric, dimension, value in rows[1:]}
    assert figures[("incidents", "")] == "2"
    assert figures[("compression_ratio", "")] == "3.0"
    assert figures[("auto_resolved_share", "")] == "1.0"
    assert figures[("truncated", "")] == "false"
    assert figures[("mttr", "mean_minutes")] == "10.0"
    assert figures[("mtta", "mean_minutes")] == ""
    # A service named like a formula is kept inert for a spreadsheet.
    assert figures[("incidents_by_service", "'=cmd()")] == "1"

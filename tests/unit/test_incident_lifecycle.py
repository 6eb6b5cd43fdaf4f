"""Incident lifecycle rules and derived metrics."""

from datetime import UTC, datetime, timedelta

import pytest

from aisre.core.errors import InvalidTransitionError
from aisre.incidents.model.alert import Severity
from aisre.incidents.model.incident import Incident, IncidentState, check_transition, incident_metrics, metric_timeline

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def incident(**changes) -> Incident:
    base = Incident(
        id="inc-1",
        workspace_id="ws",
        title="t",
        severity=Severity.HIGH,
        source="s",
        provider="webhook",
        fingerprint="fp",
        created_at=T0,
    )
    return base.model_copy(update=changes)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (IncidentState.OPEN, IncidentState.ACKNOWLEDGED),
        (IncidentState.OPEN, IncidentState.RESOLVED),
        (IncidentState.ACKNOWLEDGED, IncidentState.RESOLVED),
    ],
)
def test_allowed_transitions(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (IncidentState.ACKNOWLEDGED, IncidentState.ACKNOWLEDGED),
        (IncidentState.RESOLVED, IncidentState.ACKNOWLEDGED),
        (IncidentState.RESOLVED, IncidentState.RESOLVED),
        (IncidentState.RESOLVED, IncidentState.OPEN),
        (IncidentState.OPEN, IncidentState.OPEN),
    ],
)
def test_impossible_transitions_name_both_states(current, target):
    with pytest.raises(InvalidTransitionError) as raised:
        check_transition(current, target)
    assert raised.value.details == {"current_state": current.value, "requested_state": target.value}


def test_metrics_of_an_acknowledged_then_resolved_incident():
    done = incident(
        state=IncidentState.RESOLVED,
        acknowledged_at=T0 + timedelta(minutes=2, seconds=30),
        resolved_at=T0 + timedelta(minutes=15, seconds=18),
        alert_count=7,
    )
    assert incident_metrics(done) == {
        "time_to_first_response_minutes": 2.5,
        "resolution_time_minutes": 15.3,
        "actions_taken": 0,
        "alert_count": 7,
    }
    names = [point["metric_name"] for point in metric_timeline(done)]
    assert names == ["time_to_first_response_minutes", "resolution_time_minutes"]


def test_open_incident_has_no_response_figures_yet():
    assert incident_metrics(incident())["time_to_first_response_minutes"] is None
    assert metric_timeline(incident()) == []

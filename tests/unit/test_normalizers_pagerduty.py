"""The PagerDuty incident webhook normalizer (V3, and the older V2 messages)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import pagerduty
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity


def v3(event_type: str = "incident.triggered", **data: Any) -> dict[str, Any]:
    """A V3 webhook as PagerDuty documents it, with `data` fields overridden."""
    incident: dict[str, Any] = {
        "id": "PGR0VU2",
        "type": "incident",
        "self": "https://api.pagerduty.com/incidents/PGR0VU2",
        "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
        "number": 2,
        "status": "triggered",
        "incident_key": "d3640fbd41094207a1c11e58e46b1662",
        "created_at": "2020-04-09T15:16:27Z",
        "title": "A little bit of trouble",
        "service": {
            "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
            "id": "PF9KMXH",
            "self": "https://api.pagerduty.com/services/PF9KMXH",
            "summary": "API Service",
            "type": "service_reference",
        },
        "assignees": [{"id": "PTUXL6G", "summary": "User 123", "type": "user_reference"}],
        "escalation_policy": {"id": "PUS0KTE", "summary": "Default", "type": "escalation_policy_reference"},
        "teams": [{"id": "PFCVPS0", "summary": "Engineering", "type": "team_reference"}],
        "priority": {"id": "PSO75BM", "summary": "P1", "type": "priority_reference"},
        "urgency": "high",
        "conference_bridge": {"conference_number": "+1 1234123412,,987654321#"},
        "resolve_reason": None,
    }
    incident.update(data)
    return {
        "event": {
            "id": "5ac64822-4adc-4fda-ade0-410becf0de4f",
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": "2020-10-02T18:45:22.169Z",
            "agent": {"id": "PLH1HKV", "summary": "Tenex Engineer", "type": "user_reference"},
            "client": {"name": "PagerDuty"},
            "data": incident,
        }
    }


def test_v3_triggered() -> None:
    [alert] = pagerduty.normalize(v3())
    assert alert.provider == alert.source == "pagerduty"
    assert alert.title == "A little bit of trouble"
    assert alert.service == "API Service"
    assert alert.severity is Severity.CRITICAL
    assert alert.status is AlertStatus.FIRING
    assert (alert.fingerprint, alert.fingerprint_kind, alert.external_id) == (
        "PGR0VU2",
        "provider",
        "PGR0VU2",
    )
    assert alert.links == ["https://acme.pagerduty.com/incidents/PGR0VU2"]
    assert alert.starts_at == datetime(2020, 4, 9, 15, 16, 27, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.labels == {
        "pagerduty_event_type": "incident.triggered",
        "pagerduty_status": "triggered",
        "pagerduty_urgency": "high",
        "pagerduty_priority": "P1",
        "pagerduty_incident_number": "2",
        "pagerduty_incident_key": "d3640fbd41094207a1c11e58e46b1662",
        "pagerduty_service_id": "PF9KMXH",
    }


def test_v3_resolved() -> None:
    [alert] = pagerduty.normalize(v3("incident.resolved", status="resolved"))
    assert alert.status is AlertStatus.RESOLVED
    assert alert.ends_at == datetime(2020, 10, 2, 18, 45, 22, 169000, tzinfo=UTC)
    assert alert.fingerprint == "PGR0VU2"


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("incident.acknowledged", "acknowledged"),
        ("incident.unacknowledged", "triggered"),
        ("incident.reassigned", "triggered"),
        ("incident.escalated", "triggered"),
        ("incident.reopened", "triggered"),
        ("incident.priority_updated", "acknowledged"),
    ],
)
def test_v3_other_incident_events_fire_and_carry_their_type(event_type: str, status: str) -> None:
    [alert] = pagerduty.normalize(v3(event_type, status=status))
    assert alert.status is AlertStatus.FIRING
    assert alert.labels["pagerduty_event_type"] == event_type
    assert alert.labels["pagerduty_status"] == status


def test_event_on_an_already_resolved_incident_stays_resolved() -> None:
    [alert] = pagerduty.normalize(v3("incident.priority_updated", status="resolved"))
    assert alert.status is AlertStatus.RESOLVED


@pytest.mark.parametrize(
    ("priority", "urgency", "severity"),
    [
        ({"summary": "P1"}, "low", Severity.CRITICAL),
        ({"summary": "P2"}, "high", Severity.HIGH),
        ({"summary": "P3"}, "high", Severity.WARNING),
        ({"summary": "P4"}, "high", Severity.INFO),
        ({"summary": "P5"}, "high", Severity.INFO),
        (None, "high", Severity.CRITICAL),
        (None, "low", Severity.WARNING),
        ({"summary": "Business critical-ish"}, "low", Severity.WARNING),  # unknown name: urgency decides
        (None, None, Severity.WARNING),
    ],
)
def test_severity_from_priority_then_urgency(priority: Any, urgency: Any, severity: Severity) -> None:
    [alert] = pagerduty.normalize(v3(priority=priority, urgency=urgency))
    assert alert.severity is severity


def test_v3_events_about_notes_and_pings_carry_no_alert() -> None:
    note = v3("incident.annotated")
    note["event"]["data"] = {
        "incident": {"id": "PGR0VU2", "type": "incident_reference", "summary": "A little bit of trouble"},
        "id": "PWL7QXS",
        "content": "Hello this is a note",
        "trimmed": False,
        "type": "incident_note",
    }
    ping = {"event": {"id": "x", "event_type": "pagey.ping", "resource_type": "pagey", "data": {"type": "ping"}}}
    assert pagerduty.normalize(note) == []
    assert pagerduty.normalize(ping) == []


def test_v3_minimal_incident() -> None:
    [alert] = pagerduty.normalize({"event": {"event_type": "incident.triggered", "data": {"title": "Disk full"}}})
    assert alert.title == "Disk full"
    assert alert.fingerprint_kind == "identity"  # no incident id to use
    assert alert.service is None
    assert alert.labels == {"pagerduty_event_type": "incident.triggered"}


V2: dict[str, Any] = {
    "messages": [
        {
            "id": "bb8b8fe0-e8d5-11e2-9c1e-22000afd16cf",
            "event": "incident.trigger",
            "created_on": "2013-07-09T20:25:44Z",
            "incident": {
                "id": "PIJ90N7",
                "incident_number": 1,
                "created_at": "2013-07-09T20:25:44Z",
                "status": "triggered",
                "title": "Server is on fire",
                "html_url": "https://acme.pagerduty.com/incidents/PIJ90N7",
                "incident_key": "srv01/HTTP",
                "service": {"id": "PBAZLIU", "name": "service", "summary": "Web tier"},
                "urgency": "high",
            },
        },
        {
            "id": "8a1d6420-e8d5-11e2-9c1e-22000afd16cf",
            "event": "incident.resolve",
            "created_on": "2013-07-09T20:30:00Z",
            "incident": {
                "id": "PIJ90N8",
                "incident_number": 2,
                "status": "resolved",
                "summary": "Database replication lag",
                "service": {"name": "db"},
                "urgency": "low",
            },
        },
        {"id": "ping", "event": "ping"},
    ]
}


def test_v2_messages() -> None:
    first, second = pagerduty.normalize(V2)
    assert (first.title, first.fingerprint, first.status) == (
        "Server is on fire",
        "PIJ90N7",
        AlertStatus.FIRING,
    )
    assert first.service == "Web tier"
    assert first.severity is Severity.CRITICAL
    assert first.labels["pagerduty_event_type"] == "incident.trigger"
    assert first.labels["pagerduty_incident_number"] == "1"
    assert (second.title, second.status, second.service) == (
        "Database replication lag",
        AlertStatus.RESOLVED,
        "db",
    )
    assert second.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ([], PayloadError, "body"),
        ({"incident": {}}, PayloadError, "event"),
        ({"event": "incident.triggered"}, ValidationError, "event"),
        ({"event": {"event_type": "incident.triggered"}}, PayloadError, "event.data"),
        ({"event": {"event_type": "incident.triggered", "data": []}}, ValidationError, "event.data"),
        ({"event": {"data": {"id": "P1"}}}, PayloadError, "title"),
        ({"event": {"data": {"title": "x", "service": "api"}}}, ValidationError, "event.data.service"),
        ({"event": {"data": {"title": "x", "priority": "P1"}}}, ValidationError, "event.data.priority"),
        ({"messages": {}}, ValidationError, "messages"),
        ({"messages": [{"event": "incident.trigger"}]}, PayloadError, "messages[0].incident"),
        ({"messages": ["incident.trigger"]}, ValidationError, "messages[0]"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        pagerduty.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
DATA = st.dictionaries(st.sampled_from(sorted(v3()["event"]["data"])), JSON, max_size=6)
EVENT = st.fixed_dictionaries(
    {"event_type": st.sampled_from(["incident.triggered", "incident.resolved"])},
    optional={"data": DATA, "occurred_at": JSON},
)
MESSAGE = st.fixed_dictionaries({"event": st.just("incident.trigger")}, optional={"incident": DATA | JSON})


@settings(max_examples=100, deadline=None)
@given(
    JSON
    | st.fixed_dictionaries({"event": EVENT | JSON})
    | st.fixed_dictionaries({"messages": st.lists(MESSAGE, max_size=2)})
)
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        alerts = pagerduty.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert all(alert.provider == "pagerduty" for alert in alerts)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_incident_id_is_the_fingerprint_unchanged(incident_id: str) -> None:
    payload = copy.deepcopy(v3())
    payload["event"]["data"]["id"] = incident_id
    [alert] = pagerduty.normalize(payload)
    assert (alert.fingerprint, alert.external_id) == (incident_id, incident_id)

"""The Opsgenie outgoing webhook normalizer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import opsgenie
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

# As Opsgenie's webhook integration posts a Create action.
CREATE: dict[str, Any] = {
    "action": "Create",
    "alert": {
        "alertId": "2b2ec0e5-1e54-4c38-a1b7-f1d1c3c6a0a6-1714557600000",
        "message": "Payments API error rate above 5%",
        "tags": ["env:prod", "kube_namespace:production", "critical"],
        "tinyId": "1791",
        "entity": "payments-api",
        "alias": "payments-api-error-rate",
        "createdAt": 1714557600000,
        "updatedAt": 1714557600000000000,
        "username": "System",
        "userId": "",
        "description": "5xx ratio is 7.2% over the last 5 minutes",
        "team": "",
        "responders": [{"id": "c1bb5a6e", "type": "team", "name": "payments"}],
        "teams": ["c1bb5a6e"],
        "actions": [],
        "details": {"pod": "payments-api-7d8f9c6b5-x2k4m", "region": "us-east-1"},
        "priority": "P2",
        "source": "Datadog",
    },
    "source": {"name": "", "type": "web"},
    "integrationName": "aisre",
    "integrationId": "8a1b2c3d",
    "integrationType": "Webhook",
}


def test_create() -> None:
    [alert] = opsgenie.normalize(CREATE)
    assert alert.provider == alert.source == "opsgenie"
    assert alert.title == "Payments API error rate above 5%"
    assert alert.description == "5xx ratio is 7.2% over the last 5 minutes"
    assert alert.severity is Severity.HIGH
    assert alert.status is AlertStatus.FIRING
    assert alert.fingerprint == "payments-api-error-rate"
    assert alert.fingerprint_kind == "provider"
    assert alert.external_id == "2b2ec0e5-1e54-4c38-a1b7-f1d1c3c6a0a6-1714557600000"
    assert alert.service == "payments-api"  # the entity
    assert (alert.namespace, alert.pod) == ("production", "payments-api-7d8f9c6b5-x2k4m")
    assert alert.labels == {
        "env": "prod",
        "kube_namespace": "production",
        "critical": "true",
        "pod": "payments-api-7d8f9c6b5-x2k4m",
        "region": "us-east-1",
        "opsgenie_action": "Create",
    }
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # createdAt in milliseconds
    assert alert.ends_at is None


def test_close_resolves_with_the_nanosecond_update_time() -> None:
    alert_body = {**CREATE["alert"], "updatedAt": 1714559400123456789}
    [alert] = opsgenie.normalize({**CREATE, "action": "Close", "alert": alert_body})
    assert alert.status is AlertStatus.RESOLVED
    assert alert.ends_at == datetime(2024, 5, 1, 10, 30, 0, 123457, tzinfo=UTC)
    assert alert.fingerprint == "payments-api-error-rate"


@pytest.mark.parametrize("action", ["Acknowledge", "AddNote", "Escalate", "UnAcknowledge", "Delete", ""])
def test_other_actions_fire_and_are_labelled(action: str) -> None:
    [alert] = opsgenie.normalize({**CREATE, "action": action})
    assert alert.status is AlertStatus.FIRING
    assert alert.labels.get("opsgenie_action", "") == action


@pytest.mark.parametrize(
    ("priority", "severity"),
    [
        ("P1", Severity.CRITICAL),
        ("P2", Severity.HIGH),
        ("P3", Severity.WARNING),
        ("P4", Severity.INFO),
        ("P5", Severity.INFO),
        (None, Severity.WARNING),
    ],
)
def test_priority_map(priority: str | None, severity: Severity) -> None:
    assert opsgenie.normalize({"alert": {**CREATE["alert"], "priority": priority}})[0].severity is severity


def test_service_from_details_wins_over_entity() -> None:
    body = {**CREATE["alert"], "details": {"service": "checkout"}}
    assert opsgenie.normalize({"action": "Create", "alert": body})[0].service == "checkout"


def test_minimal_alert_uses_the_alert_id() -> None:
    [alert] = opsgenie.normalize({"action": "Create", "alert": {"alertId": "abc", "message": "Disk full"}})
    assert (alert.fingerprint, alert.fingerprint_kind, alert.external_id) == ("abc", "provider", "abc")
    assert alert.labels == {"opsgenie_action": "Create"}
    assert alert.service is None


def test_no_ids_at_all_gets_an_identity() -> None:
    [alert] = opsgenie.normalize({"alert": {"message": "Disk full", "entity": "db"}})
    assert alert.fingerprint_kind == "identity"


def test_tags_as_text() -> None:
    body = {**CREATE["alert"], "tags": "env:prod, team:payments"}
    labels = opsgenie.normalize({"alert": body})[0].labels
    assert (labels["env"], labels["team"]) == ("prod", "payments")


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        (None, PayloadError, "body"),
        ({"action": "Create"}, PayloadError, "alert"),
        ({"action": "Create", "alert": "Disk full"}, ValidationError, "alert"),
        ({"action": "Create", "alert": {"alertId": "a"}}, PayloadError, "alert.message"),
        ({"alert": {"message": "x", "tags": {"env": "prod"}}}, ValidationError, "alert.tags"),
        ({"alert": {"message": "x", "details": ["a"]}}, ValidationError, "alert.details"),
        ({"alert": {"message": {"text": "x"}}}, ValidationError, "alert.message"),
        ({"action": ["Close"], "alert": {"message": "x"}}, ValidationError, "action"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        opsgenie.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ALERT = st.dictionaries(st.sampled_from(sorted(CREATE["alert"])), JSON, max_size=6)


@settings(max_examples=100, deadline=None)
@given(JSON | st.fixed_dictionaries({"alert": ALERT | JSON}, optional={"action": JSON}))
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        [alert] = opsgenie.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert alert.provider == "opsgenie"


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_alias_is_the_fingerprint_unchanged(alias: str) -> None:
    [alert] = opsgenie.normalize({"alert": {"message": "x", "alias": alias, "alertId": "id-1"}})
    assert (alert.fingerprint, alert.fingerprint_kind) == (alias, "provider")

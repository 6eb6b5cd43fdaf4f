"""The New Relic normalizer: workflow webhooks (default template) and legacy alert-policy webhooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import newrelic
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

# A workflow webhook rendered from New Relic's default payload template.
WORKFLOW: dict[str, Any] = {
    "id": "c5b5e7b2-8f0d-4f4b-9e1c-1a2b3c4d5e6f",
    "issueUrl": "https://radar-api.service.newrelic.com/accounts/1/issues/c5b5e7b2?notifier=WEBHOOK",
    "title": "Error percentage > 5% for at least 5 minutes on 'payments-api'",
    "priority": "CRITICAL",
    "impactedEntities": ["payments-api"],
    "totalIncidents": 1,
    "state": "ACTIVATED",
    "trigger": "STATE_CHANGE",
    "isCorrelated": False,
    "createdAt": 1714557600000,
    "updatedAt": 1714557660000,
    "sources": ["newrelic"],
    "alertPolicyNames": ["Payments"],
    "alertConditionNames": ["High error rate"],
    "workflowName": "aisre",
    "accumulations": {"tag.k8s.namespace.name": ["production"], "tag.env": ["prod"], "conditionName": ["x"]},
}

# A legacy alert-policy notification channel webhook (its default payload).
LEGACY: dict[str, Any] = {
    "account_id": 1234567,
    "account_name": "Acme",
    "closed_violations_count": {"critical": 0, "warning": 0},
    "condition_family_id": 9876,
    "condition_id": 12345,
    "condition_name": "High error rate",
    "current_state": "open",
    "details": "Error percentage > 5.0% for at least 5 minutes on 'payments-api'",
    "duration": 0,
    "event_type": "INCIDENT",
    "incident_acknowledge_url": "https://alerts.newrelic.com/accounts/1234567/incidents/112233/acknowledge",
    "incident_api_url": "https://api.newrelic.com/v2/alerts_incidents/112233",
    "incident_id": 112233,
    "incident_url": "https://alerts.newrelic.com/accounts/1234567/incidents/112233",
    "open_violations_count": {"critical": 1, "warning": 0},
    "owner": "",
    "policy_name": "Payments",
    "policy_url": "https://alerts.newrelic.com/accounts/1234567/policies/555",
    "runbook_url": "https://runbooks.example.com/errors",
    "severity": "CRITICAL",
    "targets": [
        {
            "id": "5566",
            "name": "payments-api",
            "link": "https://rpm.newrelic.com/accounts/1234567/applications/5566",
            "labels": {"namespace": "production", "team": "payments"},
            "product": "APM",
            "type": "Application",
        }
    ],
    "timestamp": 1714557600000,
    "violation_callback_url": "https://alerts.newrelic.com/accounts/1234567/applications/5566",
    "violation_chart_url": "https://gorgon.nr-assets.net/image/abc",
}


def test_workflow_activated() -> None:
    [alert] = newrelic.normalize(WORKFLOW)
    assert alert.provider == alert.source == "newrelic"
    assert alert.title == "Error percentage > 5% for at least 5 minutes on 'payments-api'"
    assert alert.severity is Severity.CRITICAL
    assert alert.status is AlertStatus.FIRING
    assert (alert.fingerprint, alert.fingerprint_kind) == ("c5b5e7b2-8f0d-4f4b-9e1c-1a2b3c4d5e6f", "provider")
    assert alert.external_id == "c5b5e7b2-8f0d-4f4b-9e1c-1a2b3c4d5e6f"
    assert (alert.service, alert.namespace) == ("payments-api", "production")
    assert alert.labels == {
        "k8s.namespace.name": "production",
        "env": "prod",
        "newrelic_state": "ACTIVATED",
        "newrelic_priority": "CRITICAL",
        "newrelic_trigger": "STATE_CHANGE",
        "workflow_name": "aisre",
        "policy_name": "Payments",
        "condition_name": "High error rate",
    }
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.links == [WORKFLOW["issueUrl"]]


def test_workflow_closed() -> None:
    [alert] = newrelic.normalize({**WORKFLOW, "state": "CLOSED", "updatedAt": 1714559400000})
    assert alert.status is AlertStatus.RESOLVED
    assert alert.ends_at == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize("state", ["CREATED", "ACTIVATED", "ACKNOWLEDGED"])
def test_workflow_open_states_fire(state: str) -> None:
    assert newrelic.normalize({**WORKFLOW, "state": state})[0].status is AlertStatus.FIRING


@pytest.mark.parametrize(
    ("priority", "severity"),
    [
        ("CRITICAL", Severity.CRITICAL),
        ("HIGH", Severity.HIGH),
        ("MEDIUM", Severity.WARNING),
        ("LOW", Severity.INFO),
    ],
)
def test_workflow_priority(priority: str, severity: Severity) -> None:
    assert newrelic.normalize({**WORKFLOW, "priority": priority})[0].severity is severity


def test_workflow_title_as_a_list_and_issue_id_key() -> None:
    payload = {"issueId": 42, "title": ["CPU high on host-1", "other"], "state": "CREATED"}
    [alert] = newrelic.normalize(payload)
    assert alert.title == "CPU high on host-1"
    assert alert.fingerprint == alert.external_id == "42"
    assert alert.severity is Severity.WARNING


def test_workflow_identity_uses_the_condition_name() -> None:
    base = {
        "title": "CPU at 91% on host-1",
        "alertConditionNames": ["CPU high"],
        "impactedEntities": ["host-1"],
    }
    [first] = newrelic.normalize(base)
    [second] = newrelic.normalize({**base, "title": "CPU at 97% on host-1"})
    assert first.fingerprint_kind == "identity"
    assert first.fingerprint == second.fingerprint


def test_legacy_open() -> None:
    [alert] = newrelic.normalize(LEGACY)
    assert alert.title == "High error rate"
    assert alert.description == "Error percentage > 5.0% for at least 5 minutes on 'payments-api'"
    assert alert.severity is Severity.CRITICAL
    assert alert.status is AlertStatus.FIRING
    assert (alert.fingerprint, alert.fingerprint_kind, alert.external_id) == ("112233", "provider", "112233")
    assert (alert.service, alert.namespace) == ("payments-api", "production")
    assert alert.labels == {
        "namespace": "production",
        "team": "payments",
        "policy_name": "Payments",
        "newrelic_state": "open",
    }
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alert.links == [
        LEGACY["incident_url"],
        LEGACY["runbook_url"],
        LEGACY["violation_chart_url"],
        "https://rpm.newrelic.com/accounts/1234567/applications/5566",
    ]


def test_legacy_closed_and_acknowledged() -> None:
    [closed] = newrelic.normalize({**LEGACY, "current_state": "closed", "timestamp": 1714559400000})
    assert closed.status is AlertStatus.RESOLVED
    assert (closed.starts_at, closed.ends_at) == (None, datetime(2024, 5, 1, 10, 30, tzinfo=UTC))
    assert closed.fingerprint == "112233"
    [acknowledged] = newrelic.normalize({**LEGACY, "current_state": "acknowledged"})
    assert acknowledged.status is AlertStatus.FIRING


@pytest.mark.parametrize(("word", "severity"), [("WARNING", Severity.WARNING), ("INFO", Severity.INFO)])
def test_legacy_severity(word: str, severity: Severity) -> None:
    assert newrelic.normalize({**LEGACY, "severity": word})[0].severity is severity


def test_legacy_minimal() -> None:
    [alert] = newrelic.normalize({"condition_name": "Host not reporting", "current_state": "open"})
    assert alert.service is None
    assert alert.fingerprint_kind == "identity"


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ([WORKFLOW], PayloadError, "body"),
        ({"priority": "HIGH", "state": "CREATED"}, PayloadError, "title"),
        ({"title": {"text": "x"}}, ValidationError, "title"),
        ({"title": [["x"]]}, ValidationError, "title"),
        ({"title": "x", "accumulations": ["a"]}, ValidationError, "accumulations"),
        (
            {"title": "x", "accumulations": {"tag.service": [{"a": 1}]}},
            ValidationError,
            "accumulations.tag.service",
        ),
        ({"incident_id": 1, "current_state": "open"}, PayloadError, "condition_name"),
        ({**LEGACY, "targets": {"name": "x"}}, ValidationError, "targets"),
        ({**LEGACY, "targets": ["payments-api"]}, ValidationError, "targets[0]"),
        ({**LEGACY, "targets": [{"labels": "a=b"}]}, ValidationError, "targets[0].labels"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        newrelic.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(
    JSON
    | st.dictionaries(st.sampled_from(sorted(WORKFLOW)), JSON, max_size=8)
    | st.dictionaries(st.sampled_from(sorted(LEGACY)), JSON, max_size=8)
)
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        [alert] = newrelic.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert alert.provider == "newrelic"


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_issue_id_is_the_fingerprint_unchanged(issue_id: str) -> None:
    [alert] = newrelic.normalize({"issueId": issue_id, "title": "x"})
    assert (alert.fingerprint, alert.fingerprint_kind) == (issue_id, "provider")

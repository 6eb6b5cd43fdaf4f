"""The generic webhook normalizer: the platform's own alert vocabulary, single, listed or batched."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.fingerprint import identity_fingerprint
from aisre.alerts.model.normalizers import generic, normalize
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

FULL: dict[str, Any] = {
    "title": "High CPU on payments-api",
    "description": "CPU usage > 90% for 5 minutes",
    "severity": "critical",
    "source": "prometheus",
    "status": "firing",
    "namespace": "production",
    "pod": "payments-api-7d8f9c6b5-x2k4m",
    "deployment": "payments-api",
    "service": "payments-api",
    "labels": {"team": "payments", "env": "prod", "replicas": 3},
    "annotations": {"runbook": "https://runbooks.example.com/cpu"},
    "starts_at": "2024-05-01T10:00:00Z",
    "links": ["https://grafana.example.com/d/cpu", {"href": "https://example.com/a"}, {"url": "https://b"}],
    "url": "https://monitor.example.com/alerts/1",
}


def test_full_payload() -> None:
    [alert] = generic.normalize(FULL)
    assert alert.provider == "webhook"
    assert alert.source == "prometheus"
    assert alert.title == "High CPU on payments-api"
    assert alert.description == "CPU usage > 90% for 5 minutes"
    assert alert.severity is Severity.CRITICAL
    assert alert.status is AlertStatus.FIRING
    assert (alert.service, alert.namespace, alert.pod, alert.deployment) == (
        "payments-api",
        "production",
        "payments-api-7d8f9c6b5-x2k4m",
        "payments-api",
    )
    assert alert.labels == {"team": "payments", "env": "prod", "replicas": "3"}
    assert alert.annotations == {"runbook": "https://runbooks.example.com/cpu"}
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.links == [
        "https://grafana.example.com/d/cpu",
        "https://example.com/a",
        "https://b",
        "https://monitor.example.com/alerts/1",
    ]
    assert alert.fingerprint_kind == "identity"
    assert alert.fingerprint == identity_fingerprint(
        source="prometheus",
        title="High CPU on payments-api",
        service="payments-api",
        namespace="production",
        deployment="payments-api",
        pod="payments-api-7d8f9c6b5-x2k4m",
    )


def test_registered_as_webhook() -> None:
    assert normalize("webhook", FULL) == generic.normalize(FULL)


def test_minimal_payload_takes_defaults() -> None:
    [alert] = generic.normalize({"title": "Disk almost full"})
    assert alert.source == "webhook"
    assert alert.severity is Severity.WARNING
    assert alert.status is AlertStatus.FIRING
    assert alert.labels == {} and alert.links == []
    assert alert.service is None


@pytest.mark.parametrize("key", ["name", "summary", "message", "alertname"])
def test_title_synonyms(key: str) -> None:
    [alert] = generic.normalize({key: "Queue backlog growing"})
    assert alert.title == "Queue backlog growing"


def test_message_is_the_description_when_a_title_is_given() -> None:
    [alert] = generic.normalize({"title": "Queue backlog", "message": "12k messages waiting"})
    assert alert.description == "12k messages waiting"


@pytest.mark.parametrize("word", ["resolved", "ok", "OK", "closed", "recovered", " Resolved "])
def test_resolved_words(word: str) -> None:
    [alert] = generic.normalize({"title": "x", "status": word})
    assert alert.status is AlertStatus.RESOLVED


@pytest.mark.parametrize("word", ["firing", "triggered", "alerting", "problem", "open", "acknowledged"])
def test_firing_words(word: str) -> None:
    [alert] = generic.normalize({"title": "x", "status": word})
    assert alert.status is AlertStatus.FIRING


def test_kubernetes_fields_from_labels_and_explicit_fields_win() -> None:
    payload = {
        "title": "OOMKilled",
        "namespace": "checkout",
        "labels": {"namespace": "default", "pod": "cart-5f9-abc", "deployment": "cart", "severity": "high"},
    }
    [alert] = generic.normalize(payload)
    assert alert.namespace == "checkout"
    assert alert.pod == "cart-5f9-abc"
    assert alert.deployment == "cart"
    assert alert.service == "cart"  # the deployment names the service when nothing else does
    assert alert.severity is Severity.HIGH  # from labels.severity


@pytest.mark.parametrize("key", ["fingerprint", "dedup_key"])
def test_provider_fingerprint(key: str) -> None:
    [alert] = generic.normalize({"title": "x", key: "abc-123"})
    assert alert.fingerprint == "abc-123"
    assert alert.fingerprint_kind == "provider"


def test_identity_uses_alertname_over_changing_title() -> None:
    first = generic.normalize({"title": "CPU at 91%", "alertname": "HighCPU", "service": "api"})[0]
    second = generic.normalize({"title": "CPU at 97%", "alertname": "HighCPU", "service": "api"})[0]
    assert first.fingerprint == second.fingerprint


def test_camel_case_times_and_epoch() -> None:
    [alert] = generic.normalize(
        {"title": "x", "startsAt": "2024-05-01T10:00:00.123456789Z", "endsAt": "0001-01-01T00:00:00Z"}
    )
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert alert.ends_at is None
    [alert] = generic.normalize({"title": "x", "timestamp": 1714557600, "ends_at": 1714561200000})
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alert.ends_at == datetime(2024, 5, 1, 11, 0, tzinfo=UTC)


def test_list_and_batch_payloads() -> None:
    alerts = generic.normalize([{"title": "a"}, {"title": "b", "status": "resolved"}])
    assert [(a.title, a.status) for a in alerts] == [("a", AlertStatus.FIRING), ("b", AlertStatus.RESOLVED)]
    batch = generic.normalize({"alerts": [{"title": "c"}, {"title": "d"}]})
    assert [a.title for a in batch] == ["c", "d"]
    assert generic.normalize({"alerts": []}) == []
    assert generic.normalize([]) == []


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ("not json object", PayloadError, "body"),
        (42, PayloadError, "body"),
        ({"description": "no title"}, PayloadError, "title"),
        ({"alerts": [{"title": "ok"}, {"severity": "high"}]}, PayloadError, "alerts[1].title"),
        ([{"title": "ok"}, "text"], ValidationError, "body[1]"),
        ({"title": "x", "labels": "team=payments"}, ValidationError, "labels"),
        ({"title": "x", "annotations": ["a"]}, ValidationError, "annotations"),
        ({"title": {"text": "x"}}, ValidationError, "title"),
        ({"title": "x", "links": [3]}, ValidationError, "links[0]"),
        ({"title": "x", "links": {"href": "y"}}, ValidationError, "links"),
        ({"alerts": [{"title": "x", "labels": 1}]}, ValidationError, "alerts[0].labels"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        generic.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]
    name = re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1]
    assert name == "body" or name in str(raised.value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(sorted({*FULL, "alerts", "name", "message", "fingerprint", "dedup_key", "endsAt"}))
SHAPED = st.dictionaries(KEYS, JSON, max_size=6)


@settings(max_examples=100, deadline=None)
@given(JSON | SHAPED | st.lists(SHAPED, max_size=2) | st.fixed_dictionaries({"alerts": st.lists(SHAPED, max_size=2)}))
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        alerts = generic.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert all(alert.title and alert.fingerprint for alert in alerts)

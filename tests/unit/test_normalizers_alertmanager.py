"""The Alertmanager (webhook v4) normalizer, and Prometheus's own bare alert list."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import alertmanager, normalize
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

# As Alertmanager sends it (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
WEBHOOK: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}/{namespace="production"}:{alertname="KubePodCrashLooping"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "aisre",
    "groupLabels": {"alertname": "KubePodCrashLooping", "namespace": "production"},
    "commonLabels": {"alertname": "KubePodCrashLooping", "namespace": "production", "severity": "critical"},
    "commonAnnotations": {"runbook_url": "https://runbooks.prometheus-operator.dev/kubepodcrashlooping"},
    "externalURL": "http://alertmanager.monitoring:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "KubePodCrashLooping",
                "container": "app",
                "namespace": "production",
                "pod": "payments-api-7d8f9c6b5-x2k4m",
                "job": "kube-state-metrics",
                "severity": "critical",
                "app_kubernetes_io_name": "payments-api",
            },
            "annotations": {
                "summary": "Pod production/payments-api-7d8f9c6b5-x2k4m is crash looping (5 restarts)",
                "description": "Pod is in waiting state (reason: CrashLoopBackOff).",
                "runbook_url": "https://runbooks.prometheus-operator.dev/kubepodcrashlooping",
            },
            "startsAt": "2024-05-01T10:00:00.123456789Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=...",
            "fingerprint": "5c8a2f4d1e9b7a63",
        },
        {
            "status": "resolved",
            "labels": {
                "alertname": "KubePodCrashLooping",
                "namespace": "production",
                "pod": "orders-6b7c8d9e0-q1w2e",
                "deployment": "orders",
                "severity": "critical",
            },
            "annotations": {"message": "Pod production/orders is crash looping"},
            "startsAt": "2024-05-01T09:00:00Z",
            "endsAt": "2024-05-01T09:30:00.5Z",
            "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=...",
            "fingerprint": "0f1e2d3c4b5a6978",
        },
    ],
}


def test_one_alert_per_entry_with_fields() -> None:
    first, _ = alertmanager.normalize(WEBHOOK)
    assert first.provider == first.source == "alertmanager"
    assert first.title == "Pod production/payments-api-7d8f9c6b5-x2k4m is crash looping (5 restarts)"
    assert first.description == "Pod is in waiting state (reason: CrashLoopBackOff)."
    assert first.severity is Severity.CRITICAL
    assert first.status is AlertStatus.FIRING
    assert (first.service, first.namespace, first.pod) == (
        "payments-api",
        "production",
        "payments-api-7d8f9c6b5-x2k4m",
    )
    assert first.labels["container"] == "app"
    assert first.starts_at == datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert first.ends_at is None  # Go's zero time: no end yet
    assert first.links == [
        "http://prometheus.monitoring:9090/graph?g0.expr=...",
        "https://runbooks.prometheus-operator.dev/kubepodcrashlooping",
        "http://alertmanager.monitoring:9093",
    ]
    assert (first.fingerprint, first.fingerprint_kind) == ("5c8a2f4d1e9b7a63", "provider")
    assert first.external_id is None


def test_per_alert_status_wins_over_group() -> None:
    _, second = alertmanager.normalize(WEBHOOK)
    assert WEBHOOK["status"] == "firing"
    assert second.status is AlertStatus.RESOLVED
    assert second.ends_at == datetime(2024, 5, 1, 9, 30, 0, 500000, tzinfo=UTC)
    assert second.title == "KubePodCrashLooping"  # no summary: the alertname
    assert second.description == "Pod production/orders is crash looping"
    assert (second.deployment, second.service) == ("orders", "orders")
    assert second.fingerprint == "0f1e2d3c4b5a6978"


def test_group_status_applies_when_alert_has_none() -> None:
    payload = {"status": "resolved", "alerts": [{"labels": {"alertname": "Watchdog"}}]}
    [alert] = alertmanager.normalize(payload)
    assert alert.status is AlertStatus.RESOLVED
    assert alert.severity is Severity.WARNING  # no severity label


def test_prometheus_registration_and_bare_list() -> None:
    bare = [
        {
            "labels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "page"},
            "annotations": {"summary": "5xx ratio 12%"},
            "startsAt": "2024-05-01T10:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
        },
        {"labels": {"alertname": "DiskFull"}, "status": "resolved"},
    ]
    first, second = normalize("prometheus", bare)
    assert (first.title, first.service, first.severity) == ("5xx ratio 12%", "checkout", Severity.CRITICAL)
    assert first.status is AlertStatus.FIRING
    assert first.fingerprint_kind == "identity"
    assert first.links == ["http://prometheus:9090/graph"]
    assert second.status is AlertStatus.RESOLVED


def test_identity_fingerprint_uses_alertname_not_the_templated_summary() -> None:
    def alert(summary: str) -> dict[str, Any]:
        return {"labels": {"alertname": "HighCPU", "pod": "api-1"}, "annotations": {"summary": summary}}

    first, second = alertmanager.normalize({"alerts": [alert("CPU at 91%"), alert("CPU at 97%")]})
    assert first.fingerprint_kind == second.fingerprint_kind == "identity"
    assert first.fingerprint == second.fingerprint
    [other] = alertmanager.normalize({"alerts": [{"labels": {"alertname": "HighMemory", "pod": "api-1"}}]})
    assert other.fingerprint != first.fingerprint


def test_empty_alerts_list_is_no_alerts() -> None:
    assert alertmanager.normalize({**WEBHOOK, "alerts": []}) == []
    assert alertmanager.normalize([]) == []


def test_title_annotation_is_accepted() -> None:
    payload = {"alerts": [{"labels": {"alertname": "A"}, "annotations": {"title": "Custom title"}}]}
    assert alertmanager.normalize(payload)[0].title == "Custom title"


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ("text", PayloadError, "body"),
        ({"status": "firing"}, PayloadError, "alerts"),
        ({"alerts": "none"}, ValidationError, "alerts"),
        ({"alerts": [5]}, ValidationError, "alerts[0]"),
        ({"alerts": [{"labels": "alertname=x"}]}, ValidationError, "alerts[0].labels"),
        (
            {"alerts": [{"labels": {"alertname": "A"}, "annotations": []}]},
            ValidationError,
            "alerts[0].annotations",
        ),
        ({"alerts": [{"labels": {}}]}, PayloadError, "alerts[0].labels.alertname"),
        ({"alerts": [{"labels": {"alertname": "A"}, "startsAt": {}}]}, ValidationError, "alerts[0].startsAt"),
        ([{"labels": {"team": "x"}}], PayloadError, "body[0].labels.alertname"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        alertmanager.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


def test_unknown_fields_and_missing_optional_fields_are_tolerated() -> None:
    payload = copy.deepcopy(WEBHOOK)
    payload["somethingNew"] = {"x": 1}
    for alert in payload["alerts"]:
        alert.pop("endsAt")
        alert.pop("generatorURL")
        alert["extra"] = [1, 2]
    first, _ = alertmanager.normalize(payload)
    assert first.links == [
        "https://runbooks.prometheus-operator.dev/kubepodcrashlooping",
        "http://alertmanager.monitoring:9093",
    ]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ALERT_KEYS = st.sampled_from(["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"])
LABELS = st.dictionaries(st.sampled_from(["alertname", "severity", "namespace", "pod", "service"]), JSON)
ALERT = st.dictionaries(ALERT_KEYS, JSON) | st.fixed_dictionaries(
    {"labels": LABELS}, optional={"annotations": JSON, "status": JSON, "startsAt": JSON}
)


@settings(max_examples=100, deadline=None)
@given(JSON | st.lists(ALERT, max_size=2) | st.fixed_dictionaries({"alerts": st.lists(ALERT, max_size=2)}))
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        alerts = alertmanager.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert all(alert.status in (AlertStatus.FIRING, AlertStatus.RESOLVED) for alert in alerts)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_provider_fingerprint_passes_through(fingerprint: str) -> None:
    payload = {"alerts": [{"labels": {"alertname": "A"}, "fingerprint": fingerprint}]}
    [alert] = alertmanager.normalize(payload)
    assert (alert.fingerprint, alert.fingerprint_kind) == (fingerprint, "provider")

"""The Grafana normalizer: unified alerting webhooks and legacy dashboard alerting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import grafana
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

# As Grafana documents its webhook contact point payload (version "1").
UNIFIED: dict[str, Any] = {
    "receiver": "aisre",
    "status": "firing",
    "orgId": 1,
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "High memory usage",
                "team": "blue",
                "zone": "us-1",
                "grafana_folder": "Kubernetes",
                "namespace": "production",
                "service": "payments-api",
                "severity": "warning",
            },
            "annotations": {
                "description": "The system has high memory usage",
                "runbook_url": "https://myrunbook.com/runbook/1234",
                "summary": "This alert was triggered for zone us-1",
            },
            "startsAt": "2021-10-12T09:51:03.157076+02:00",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
            "fingerprint": "c6eadffa33fcdf37",
            "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana",
            "dashboardURL": "",
            "panelURL": "",
            "values": {"B": 44.23943737541908, "C": 1},
            "valueString": "[ var='B' labels={team=blue, zone=us-1} value=44.23943737541908 ]",
        },
        {
            "status": "resolved",
            "labels": {"alertname": "High CPU usage", "team": "blue", "zone": "eu-1", "severity": "critical"},
            "annotations": {},
            "startsAt": "2021-10-12T09:56:03.157076+02:00",
            "endsAt": "2021-10-12T10:01:03.157076+02:00",
            "generatorURL": "https://play.grafana.org/alerting/d1rdpdv7k/edit",
            "fingerprint": "bc97ff14869b13e3",
            "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana",
            "dashboardURL": "https://play.grafana.org/d/z4TKoSG7z",
            "panelURL": "https://play.grafana.org/d/z4TKoSG7z?viewPanel=3",
            "values": None,
            "valueString": "",
        },
    ],
    "groupLabels": {},
    "commonLabels": {"team": "blue"},
    "commonAnnotations": {},
    "externalURL": "https://play.grafana.org/",
    "version": "1",
    "groupKey": "{}:{}",
    "truncatedAlerts": 0,
    "title": "[FIRING:1, RESOLVED:1]  (blue)",
    "state": "alerting",
    "message": "**Firing**\n\nLabels:\n - alertname = High memory usage\n",
}

# As Grafana's legacy (dashboard) alerting sent it.
LEGACY: dict[str, Any] = {
    "dashboardId": 1,
    "evalMatches": [{"value": 100, "metric": "High value", "tags": None}, {"value": 200, "metric": "Higher"}],
    "imageUrl": "https://grafana.com/assets/img/blog/mixed_styles.png",
    "message": "Someone is testing the alert notification within Grafana.",
    "orgId": 0,
    "panelId": 1,
    "ruleId": 7,
    "ruleName": "Payments latency",
    "ruleUrl": "http://localhost:3000/d/abc?panelId=1",
    "state": "alerting",
    "tags": {"service": "payments", "severity": "critical"},
    "title": "[Alerting] Payments latency",
}


def test_unified_alerts() -> None:
    first, second = grafana.normalize(UNIFIED)
    assert first.provider == first.source == "grafana"
    assert first.title == "This alert was triggered for zone us-1"
    assert first.description == "The system has high memory usage"
    assert first.severity is Severity.WARNING
    assert first.status is AlertStatus.FIRING
    assert (first.service, first.namespace) == ("payments-api", "production")
    assert first.starts_at == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC)
    assert first.ends_at is None
    assert (first.fingerprint, first.fingerprint_kind) == ("c6eadffa33fcdf37", "provider")
    assert first.annotations["value_string"].startswith("[ var='B'")
    # Empty dashboard/panel URLs are not links; the silence URL is an action, not a link.
    assert first.links == [
        "https://play.grafana.org/alerting/1afz29v7z/edit",
        "https://myrunbook.com/runbook/1234",
        "https://play.grafana.org/",
    ]
    assert second.title == "High CPU usage"
    assert second.status is AlertStatus.RESOLVED
    assert second.severity is Severity.CRITICAL
    assert second.ends_at == datetime(2021, 10, 12, 8, 1, 3, 157076, tzinfo=UTC)
    assert second.links[:3] == [
        "https://play.grafana.org/alerting/d1rdpdv7k/edit",
        "https://play.grafana.org/d/z4TKoSG7z",
        "https://play.grafana.org/d/z4TKoSG7z?viewPanel=3",
    ]
    assert "value_string" not in second.annotations


@pytest.mark.parametrize("version", ["1", "0", "4", 1, None])
def test_any_version_is_read(version: Any) -> None:
    assert len(grafana.normalize({**UNIFIED, "version": version})) == 2


def test_unified_identity_fingerprint_from_alertname() -> None:
    def payload(summary: str) -> dict[str, Any]:
        alert = {"labels": {"alertname": "Latency", "service": "api"}, "annotations": {"summary": summary}}
        return {"alerts": [alert]}

    [first] = grafana.normalize(payload("p99 at 1.2s"))
    [second] = grafana.normalize(payload("p99 at 1.9s"))
    assert first.fingerprint_kind == "identity"
    assert first.fingerprint == second.fingerprint


def test_legacy_alerting() -> None:
    [alert] = grafana.normalize(LEGACY)
    assert alert.title == "Payments latency"
    assert alert.description == "Someone is testing the alert notification within Grafana."
    assert alert.status is AlertStatus.FIRING
    assert alert.severity is Severity.CRITICAL
    assert alert.service == "payments"
    assert alert.labels == {"service": "payments", "severity": "critical", "grafana_state": "alerting"}
    assert alert.annotations == {"eval_matches": "High value=100, Higher=200"}
    assert alert.links == [
        "http://localhost:3000/d/abc?panelId=1",
        "https://grafana.com/assets/img/blog/mixed_styles.png",
    ]
    assert alert.fingerprint_kind == "identity"
    assert alert.external_id == "7"


def test_legacy_ok_resolves_into_the_same_identity() -> None:
    [firing] = grafana.normalize(LEGACY)
    [resolved] = grafana.normalize({**LEGACY, "state": "ok", "title": "[OK] Payments latency", "evalMatches": []})
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint


@pytest.mark.parametrize("state", ["no_data", "paused", "pending", "alerting"])
def test_legacy_states_other_than_ok_fire(state: str) -> None:
    [alert] = grafana.normalize({**LEGACY, "state": state})
    assert alert.status is AlertStatus.FIRING


def test_legacy_minimal_with_title_only() -> None:
    [alert] = grafana.normalize({"ruleId": 3, "title": "[Alerting] Disk", "state": "alerting"})
    assert alert.title == "[Alerting] Disk"
    assert alert.labels == {"grafana_state": "alerting"}


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ([UNIFIED], PayloadError, "body"),
        ({"receiver": "x", "status": "firing"}, PayloadError, "alerts"),
        ({"alerts": {"a": 1}}, ValidationError, "alerts"),
        (
            {"alerts": [{"labels": {"alertname": "A"}, "valueString": ["x"]}]},
            ValidationError,
            "alerts[0].valueString",
        ),
        ({"ruleId": 1, "state": "alerting"}, PayloadError, "title"),
        ({**LEGACY, "tags": 5}, ValidationError, "tags"),
        ({**LEGACY, "evalMatches": [1]}, ValidationError, "evalMatches[0]"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        grafana.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
ALERT = st.dictionaries(st.sampled_from(sorted(UNIFIED["alerts"][0])), JSON, max_size=6)


@settings(max_examples=100, deadline=None)
@given(
    JSON
    | st.fixed_dictionaries({"alerts": st.lists(ALERT, max_size=2)})
    | st.dictionaries(st.sampled_from(sorted(LEGACY)), JSON, min_size=1)
)
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        alerts = grafana.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert all(alert.provider == "grafana" for alert in alerts)

"""The Datadog webhook normalizer, read with Datadog's template variable names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import datadog
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

# A webhook with Datadog's default payload plus the documented alert variables, as rendered.
TRIGGERED: dict[str, Any] = {
    "id": "7417735236589463042",
    "title": "[Triggered on {kube_namespace:production,service:payments-api}] Payments API error rate high",
    "body": "%%%\nError rate is 7.2% (threshold 5%)\n%%%",
    "last_updated": "1714557600000",
    "event_type": "query_alert_monitor",
    "date": "1714557600000",
    "org": {"id": "123456", "name": "Acme"},
    "alert_id": "98765432",
    "alert_title": "Payments API error rate high",
    "alert_metric": "trace.http.request.errors",
    "alert_type": "error",
    "alert_transition": "Triggered",
    "alert_status": "Triggered",
    "alert_priority": "",
    "alert_scope": "kube_namespace:production,service:payments-api",
    "aggreg_key": "9bd4ac313a4d1e8fae2482df7b77628",
    "hostname": "ip-10-0-1-23",
    "link": "https://app.datadoghq.com/event/event?id=7417735236589463042",
    "tags": "env:prod,team:payments,kube_deployment:payments-api,pod_name:payments-api-7d8f9c6b5-x2k4m",
    "snapshot": "https://p.datadoghq.com/snapshot/view/dd-snapshots-prod/org_123/2024-05-01/abc.png",
}


def test_triggered() -> None:
    [alert] = datadog.normalize(TRIGGERED)
    assert alert.provider == alert.source == "datadog"
    assert alert.title == TRIGGERED["title"]
    assert alert.description == "%%%\nError rate is 7.2% (threshold 5%)\n%%%"
    assert alert.status is AlertStatus.FIRING
    assert alert.severity is Severity.CRITICAL  # alert_type error, no priority
    assert (alert.fingerprint, alert.fingerprint_kind) == ("9bd4ac313a4d1e8fae2482df7b77628", "provider")
    assert alert.external_id == "98765432"
    assert (alert.service, alert.namespace, alert.deployment, alert.pod) == (
        "payments-api",
        "production",
        "payments-api",
        "payments-api-7d8f9c6b5-x2k4m",
    )
    assert alert.labels == {
        "env": "prod",
        "team": "payments",
        "kube_deployment": "payments-api",
        "pod_name": "payments-api-7d8f9c6b5-x2k4m",
        "kube_namespace": "production",
        "service": "payments-api",
        "host": "ip-10-0-1-23",
        "metric": "trace.http.request.errors",
        "datadog_transition": "Triggered",
        "datadog_event_type": "query_alert_monitor",
    }
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alert.links == [TRIGGERED["link"], TRIGGERED["snapshot"]]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"alert_transition": "Recovered", "alert_type": "success"}, AlertStatus.RESOLVED),
        ({"alert_transition": "Resolved"}, AlertStatus.RESOLVED),
        ({"alert_transition": "", "alert_type": "success"}, AlertStatus.RESOLVED),
        ({"alert_transition": "Re-Triggered"}, AlertStatus.FIRING),
        ({"alert_transition": "Warn", "alert_type": "warning"}, AlertStatus.FIRING),
        ({"alert_transition": "No Data"}, AlertStatus.FIRING),
        ({"alert_transition": "Renotify"}, AlertStatus.FIRING),
    ],
)
def test_status(changes: dict[str, str], status: AlertStatus) -> None:
    [alert] = datadog.normalize({**TRIGGERED, **changes})
    assert alert.status is status
    assert alert.fingerprint == TRIGGERED["aggreg_key"]  # the same alert across transitions


@pytest.mark.parametrize(
    ("changes", "severity"),
    [
        ({"alert_priority": "P1", "alert_type": "info"}, Severity.CRITICAL),
        ({"alert_priority": "P2"}, Severity.HIGH),
        ({"alert_priority": "p3"}, Severity.WARNING),
        ({"alert_priority": "P4"}, Severity.INFO),
        ({"priority": "P5"}, Severity.INFO),
        ({"alert_priority": "normal", "alert_type": "warning"}, Severity.WARNING),
        ({"alert_type": "info"}, Severity.INFO),
        ({"alert_type": "success"}, Severity.INFO),
        ({"alert_type": ""}, Severity.WARNING),
    ],
)
def test_severity(changes: dict[str, str], severity: Severity) -> None:
    assert datadog.normalize({**TRIGGERED, **changes})[0].severity is severity


def test_fingerprint_falls_back_to_monitor_and_scope() -> None:
    payload = {**TRIGGERED, "aggreg_key": ""}
    assert datadog.normalize(payload)[0].fingerprint == "98765432:kube_namespace:production,service:payments-api"
    payload = {**payload, "alert_scope": ""}
    assert datadog.normalize(payload)[0].fingerprint == "98765432"


def test_default_template_gets_an_identity_without_the_transition_prefix() -> None:
    default = {
        "body": "Disk usage 91% on db-1",
        "last_updated": "1714557600000",
        "event_type": "metric_alert_monitor",
        "title": "[Triggered] Disk usage high",
        "date": "1714557600000",
        "org": {"id": "123456", "name": "Acme"},
        "id": "7417735236589463042",
    }
    [triggered] = datadog.normalize(default)
    [recovered] = datadog.normalize({**default, "title": "[Recovered] Disk usage high", "body": "Disk 70%"})
    assert triggered.fingerprint_kind == "identity"
    assert triggered.fingerprint == recovered.fingerprint
    assert triggered.external_id is None


def test_tags_as_list_and_simple_monitor_scope() -> None:
    payload = {"title": "x", "tags": ["env:prod", "service:api"], "alert_scope": "*", "alert_id": "1"}
    [alert] = datadog.normalize(payload)
    assert alert.labels == {"env": "prod", "service": "api"}
    assert alert.service == "api"


def test_form_decoded_strings_everywhere() -> None:
    # The API layer turns form bodies into flat strings; numbers arrive as text.
    [alert] = datadog.normalize({"title": "x", "date": "1714557600", "alert_priority": "P2"})
    assert alert.starts_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alert.severity is Severity.HIGH


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ("title=x", PayloadError, "body"),
        ({"body": "no title", "alert_id": "1"}, PayloadError, "title"),
        ({"title": "x", "tags": 5}, ValidationError, "tags"),
        ({"title": "x", "alert_scope": ["a"]}, ValidationError, "alert_scope"),
        ({"title": "x", "aggreg_key": {"a": 1}}, ValidationError, "aggreg_key"),
        ({"title": ["x"]}, ValidationError, "title"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        datadog.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
SHAPED = st.dictionaries(st.sampled_from(sorted(TRIGGERED)), JSON | st.text(max_size=20), max_size=8)


@settings(max_examples=100, deadline=None)
@given(JSON | SHAPED)
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        [alert] = datadog.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert alert.provider == "datadog"


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_aggreg_key_is_the_fingerprint_unchanged(key: str) -> None:
    [alert] = datadog.normalize({"title": "x", "aggreg_key": key, "alert_id": "1"})
    assert (alert.fingerprint, alert.fingerprint_kind) == (key, "provider")

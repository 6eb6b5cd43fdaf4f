"""The PagerDuty Events API v2 normalizer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers import normalize, pagerduty_events
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import AlertStatus, Severity

# The trigger example of PagerDuty's Events API v2 documentation.
TRIGGER: dict[str, Any] = {
    "payload": {
        "summary": "DISK at 99% on machine prod-datapipe03.example.com",
        "timestamp": "2015-07-17T08:42:58.315+0000",
        "severity": "critical",
        "source": "prod-datapipe03.example.com",
        "component": "mysql",
        "group": "prod-datapipe",
        "class": "disk",
        "custom_details": {"free space": "1%", "ping time": "1500ms", "load avg": 0.75},
    },
    "routing_key": "e93facc04764012d7bfb002500d5d1a6",
    "dedup_key": "samplekeyhere",
    "images": [
        {
            "src": "https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png",
            "href": "https://example.com/",
            "alt": "Example text",
        }
    ],
    "links": [{"href": "https://example.com/runbook", "text": "Link text"}],
    "event_action": "trigger",
    "client": "Sample Monitoring Service",
    "client_url": "https://monitoring.example.com",
}


def test_trigger() -> None:
    [alert] = pagerduty_events.normalize(TRIGGER)
    assert alert.provider == "pagerduty_events"
    assert alert.source == "pagerduty"
    assert alert.title == "DISK at 99% on machine prod-datapipe03.example.com"
    assert alert.severity is Severity.CRITICAL
    assert alert.status is AlertStatus.FIRING
    assert alert.service == "mysql"  # the component, with no custom_details.service
    assert alert.starts_at == datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)
    assert (alert.fingerprint, alert.fingerprint_kind, alert.external_id) == (
        "samplekeyhere",
        "provider",
        "samplekeyhere",
    )
    assert alert.labels == {
        "pagerduty_event_action": "trigger",
        "source": "prod-datapipe03.example.com",
        "component": "mysql",
        "group": "prod-datapipe",
        "class": "disk",
    }
    assert alert.annotations == {"free space": "1%", "ping time": "1500ms", "load avg": "0.75"}
    assert alert.links == [
        "https://example.com/runbook",
        "https://example.com/",
        "https://monitoring.example.com",
    ]
    assert "e93facc04764012d7bfb002500d5d1a6" not in str(alert.model_dump())  # the routing key is a secret


def test_registered_as_pagerduty_events() -> None:
    assert normalize("pagerduty_events", TRIGGER) == pagerduty_events.normalize(TRIGGER)


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("critical", Severity.CRITICAL),
        ("error", Severity.HIGH),
        ("warning", Severity.WARNING),
        ("info", Severity.INFO),
        ("Error", Severity.HIGH),
        (None, Severity.WARNING),
    ],
)
def test_severity_map(word: str | None, severity: Severity) -> None:
    payload = {**TRIGGER, "payload": {**TRIGGER["payload"], "severity": word}}
    assert pagerduty_events.normalize(payload)[0].severity is severity


def test_service_from_custom_details_then_component_then_group() -> None:
    details = {"service": "checkout", "namespace": "shop", "pod": "checkout-1"}
    payload = {**TRIGGER, "payload": {**TRIGGER["payload"], "custom_details": details}}
    [alert] = pagerduty_events.normalize(payload)
    assert (alert.service, alert.namespace, alert.pod) == ("checkout", "shop", "checkout-1")
    no_component = {key: value for key, value in TRIGGER["payload"].items() if key != "component"}
    [alert] = pagerduty_events.normalize({**TRIGGER, "payload": no_component})
    assert alert.service == "prod-datapipe"


def test_text_custom_details() -> None:
    payload = {**TRIGGER, "payload": {**TRIGGER["payload"], "custom_details": "disk nearly full"}}
    assert pagerduty_events.normalize(payload)[0].annotations == {"details": "disk nearly full"}


def test_minimal_trigger_without_dedup_key_gets_an_identity() -> None:
    minimal = {
        "routing_key": "k",
        "event_action": "trigger",
        "payload": {"summary": "Disk full", "source": "db1"},
    }
    [alert] = pagerduty_events.normalize(minimal)
    assert alert.fingerprint_kind == "identity"
    assert alert.external_id is None
    assert alert.severity is Severity.WARNING
    again = {**minimal, "payload": {**minimal["payload"], "custom_details": {"free": "0%"}}}
    assert pagerduty_events.normalize(again)[0].fingerprint == alert.fingerprint


@pytest.mark.parametrize(("action", "status"), [("acknowledge", AlertStatus.FIRING), ("resolve", AlertStatus.RESOLVED)])
def test_acknowledge_and_resolve_act_on_the_dedup_key(action: str, status: AlertStatus) -> None:
    [alert] = pagerduty_events.normalize({"routing_key": "k", "dedup_key": "samplekeyhere", "event_action": action})
    assert alert.status is status
    assert alert.fingerprint == "samplekeyhere"
    assert alert.title == "samplekeyhere"  # no payload: the dedup key names the alert
    assert alert.labels == {"pagerduty_event_action": action}


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        ("trigger", PayloadError, "body"),
        ({"payload": {"summary": "x"}}, PayloadError, "event_action"),
        ({**TRIGGER, "event_action": "explode"}, ValidationError, "event_action"),
        ({"event_action": "resolve"}, PayloadError, "dedup_key"),
        ({"event_action": "acknowledge", "dedup_key": ""}, PayloadError, "dedup_key"),
        ({"event_action": "trigger"}, PayloadError, "payload"),
        ({"event_action": "trigger", "payload": {"source": "db1"}}, PayloadError, "payload.summary"),
        ({"event_action": "trigger", "payload": "Disk full"}, ValidationError, "payload"),
        ({"event_action": "trigger", "payload": {"summary": ["x"]}}, ValidationError, "payload.summary"),
        ({**TRIGGER, "links": [{"href": {}}]}, ValidationError, "links[0].href"),
        ({**TRIGGER, "dedup_key": {"k": 1}}, ValidationError, "dedup_key"),
    ],
)
def test_errors_name_the_field(payload: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        pagerduty_events.normalize(payload)
    assert raised.value.field == field  # type: ignore[attr-defined]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
EVENT_PAYLOAD = st.dictionaries(st.sampled_from(sorted(TRIGGER["payload"])), JSON, max_size=6)
EVENT = st.fixed_dictionaries(
    {"event_action": st.sampled_from(["trigger", "acknowledge", "resolve"]) | JSON},
    optional={"payload": EVENT_PAYLOAD | JSON, "dedup_key": JSON, "links": JSON, "images": JSON},
)


@settings(max_examples=100, deadline=None)
@given(JSON | EVENT)
def test_arbitrary_input_raises_only_payload_errors(payload: Any) -> None:
    try:
        [alert] = pagerduty_events.normalize(payload)
    except (PayloadError, ValidationError) as exc:
        assert exc.field
    else:
        assert alert.source == "pagerduty"


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1).map(str.strip).filter(bool))
def test_dedup_key_is_the_fingerprint_unchanged(dedup_key: str) -> None:
    [alert] = pagerduty_events.normalize({"event_action": "resolve", "dedup_key": dedup_key})
    assert (alert.fingerprint, alert.fingerprint_kind) == (dedup_key, "provider")

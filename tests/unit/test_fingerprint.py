"""Alert identity: the identity fingerprint, and the provider-versus-identity rule of build_alert."""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aisre.alerts.model.fingerprint import identity_fingerprint
from aisre.alerts.model.normalizers import normalize
from aisre.alerts.model.normalizers._common import build_alert
from aisre.core.errors import PayloadError
from aisre.incidents.model.alert import AlertStatus, Severity

IDENTITY_FIELDS = ("source", "title", "service", "namespace", "deployment", "pod")
# Identity values as tools write them; the unit separator that joins the parts is left out.
VALUES = st.text(alphabet=st.characters(blacklist_characters="\x1f", blacklist_categories=["Cs"]), max_size=20)
ASCII_VALUES = st.text(alphabet=string.ascii_letters + string.digits + "-_./: ", min_size=1, max_size=20)


def identity(**fields: str | None) -> str:
    return identity_fingerprint(
        source=fields.get("source") or "",
        title=fields.get("title") or "",
        service=fields.get("service"),
        namespace=fields.get("namespace"),
        deployment=fields.get("deployment"),
        pod=fields.get("pod"),
    )


def test_identity_is_a_stable_hex_digest() -> None:
    first = identity(source="prometheus", title="HighCPU", service="api", namespace="prod")
    assert first == identity(source="prometheus", title="HighCPU", service="api", namespace="prod")
    assert len(first) == 32 and set(first) <= set(string.hexdigits.lower())


def test_missing_and_empty_fields_are_the_same() -> None:
    assert identity(source="s", title="t", service=None) == identity(source="s", title="t", service="")


def test_fields_are_not_interchangeable() -> None:
    assert identity(source="s", title="t", service="api") != identity(source="s", title="t", namespace="api")


PADDING = st.sampled_from(["", " ", "\t", "  \n"])
COSMETIC = st.tuples(PADDING, st.sampled_from([str.upper, str.lower, str.swapcase]), PADDING)


@settings(max_examples=100, deadline=None)
@given(
    st.fixed_dictionaries({name: ASCII_VALUES for name in IDENTITY_FIELDS}),
    st.lists(COSMETIC, min_size=len(IDENTITY_FIELDS), max_size=len(IDENTITY_FIELDS)),
)
def test_identity_ignores_case_and_surrounding_space(
    fields: dict[str, str], changes: list[tuple[str, Callable[[str], str], str]]
) -> None:
    changed = {
        name: before + recase(value) + after
        for (name, value), (before, recase, after) in zip(fields.items(), changes, strict=True)
    }
    assert identity(**changed) == identity(**fields)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries({name: VALUES for name in IDENTITY_FIELDS}),
    st.sampled_from(IDENTITY_FIELDS),
    VALUES,
)
def test_identity_differs_when_an_identity_field_differs(fields: dict[str, str], name: str, other: str) -> None:
    assume(other.strip().lower() != fields[name].strip().lower())
    assert identity(**{**fields, name: other}) != identity(**fields)


ALERT_FIELDS = st.fixed_dictionaries(
    {
        "description": VALUES,
        "severity": st.sampled_from(list(Severity)),
        "status": st.sampled_from(list(AlertStatus)),
        "labels": st.dictionaries(VALUES, VALUES, max_size=3),
        "annotations": st.dictionaries(VALUES, VALUES, max_size=3),
        "starts_at": st.none() | st.datetimes(timezones=st.just(UTC)),
        "ends_at": st.none() | st.datetimes(timezones=st.just(UTC)),
        "links": st.lists(VALUES, max_size=2),
    }
)


@settings(max_examples=100, deadline=None)
@given(ALERT_FIELDS, ALERT_FIELDS)
def test_build_alert_identity_ignores_description_values_and_times(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    where = {"provider": "webhook", "title": "Disk full", "service": "db", "namespace": "prod", "pod": "db-0"}
    assert build_alert(**where, **first).fingerprint == build_alert(**where, **second).fingerprint


def test_build_alert_identity_title_overrides_the_display_title() -> None:
    first = build_alert(provider="alertmanager", title="CPU at 91%", identity_title="HighCPU")
    second = build_alert(provider="alertmanager", title="CPU at 97%", identity_title="HighCPU")
    assert first.fingerprint == second.fingerprint == identity(source="alertmanager", title="HighCPU")
    assert first.title == "CPU at 91%"


def test_build_alert_uses_the_provider_fingerprint_as_given() -> None:
    alert = build_alert(provider="alertmanager", title="x", provider_fingerprint="5c8a2f4d1e9b7a63")
    assert (alert.fingerprint, alert.fingerprint_kind) == ("5c8a2f4d1e9b7a63", "provider")
    empty = build_alert(provider="alertmanager", title="x", provider_fingerprint="")
    assert empty.fingerprint_kind == "identity"


def test_build_alert_without_a_title_is_a_payload_error() -> None:
    with pytest.raises(PayloadError) as raised:
        build_alert(provider="webhook", title="   ")
    assert raised.value.field == "title"


# --- the rule end to end, through the normalizers ---


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=40),
    st.integers(min_value=0, max_value=10**6),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["payments-api", "PAYMENTS-API", " payments-api "]),
)
def test_generic_identity_is_stable_across_firings(
    description: str, value: int, moment: datetime, service: str
) -> None:
    base = {"title": "High CPU", "source": "prometheus", "service": "payments-api", "namespace": "production"}
    [reference] = normalize("webhook", base)
    firing = {
        **base,
        "service": service,
        "title": " high cpu ",
        "description": description,
        "labels": {"value": str(value)},
        "starts_at": moment.isoformat(),
        "ends_at": (moment + timedelta(minutes=5)).isoformat(),
    }
    [alert] = normalize("webhook", firing)
    assert alert.fingerprint == reference.fingerprint


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["service", "namespace", "pod", "deployment", "title", "source"]), ASCII_VALUES)
def test_generic_identity_differs_when_an_identity_field_differs(field: str, value: str) -> None:
    base = {
        "title": "High CPU",
        "source": "prometheus",
        "service": "payments-api",
        "namespace": "production",
        "pod": "payments-api-1",
        "deployment": "payments-api",
    }
    assume(value.strip() and value.strip().lower() != base[field].lower())
    [reference] = normalize("webhook", base)
    [other] = normalize("webhook", {**base, field: value})
    assert other.fingerprint != reference.fingerprint


def _provider_payloads(fingerprint: str) -> dict[str, Any]:
    """One minimal payload per provider carrying `fingerprint` where that provider keeps its identity."""
    return {
        "webhook": {"title": "x", "fingerprint": fingerprint},
        "alertmanager": {"alerts": [{"labels": {"alertname": "A"}, "fingerprint": fingerprint}]},
        "grafana": {"alerts": [{"labels": {"alertname": "A"}, "fingerprint": fingerprint}], "version": "1"},
        "pagerduty": {"event": {"event_type": "incident.triggered", "data": {"id": fingerprint, "title": "x"}}},
        "pagerduty_events": {"event_action": "resolve", "dedup_key": fingerprint},
        "opsgenie": {"action": "Create", "alert": {"message": "x", "alias": fingerprint}},
        "datadog": {"title": "x", "aggreg_key": fingerprint},
        "newrelic": {"issueId": fingerprint, "title": "x"},
        "cloudwatch": {"AlarmName": "x", "AlarmArn": fingerprint},
    }


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=60).map(str.strip).filter(bool))
def test_every_provider_fingerprint_passes_through_unchanged(fingerprint: str) -> None:
    for source, payload in _provider_payloads(fingerprint).items():
        [alert] = normalize(source, payload)
        assert (alert.fingerprint, alert.fingerprint_kind) == (fingerprint, "provider"), source

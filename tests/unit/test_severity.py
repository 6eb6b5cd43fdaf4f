"""parse_severity: the many ways tools spell severity, read into the platform's four levels."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.severity import parse_severity
from aisre.incidents.model.alert import Severity


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("critical", Severity.CRITICAL),
        ("CRITICAL", Severity.CRITICAL),  # New Relic, CloudWatch
        ("fatal", Severity.CRITICAL),
        ("page", Severity.CRITICAL),
        ("P1", Severity.CRITICAL),  # PagerDuty, Opsgenie, Datadog priorities
        ("sev1", Severity.CRITICAL),
        ("SEV-1", Severity.CRITICAL),
        ("sev_0", Severity.CRITICAL),
        ("high", Severity.HIGH),
        ("error", Severity.HIGH),  # PagerDuty Events API
        ("major", Severity.HIGH),
        ("P2", Severity.HIGH),
        ("warning", Severity.WARNING),
        ("warn", Severity.WARNING),
        ("MEDIUM", Severity.WARNING),
        ("minor", Severity.WARNING),
        ("P3", Severity.WARNING),
        ("info", Severity.INFO),
        ("low", Severity.INFO),
        ("P4", Severity.INFO),
        ("P5", Severity.INFO),
        ("success", Severity.INFO),
        ("not classified", Severity.INFO),  # Zabbix
        ("  Warning  ", Severity.WARNING),
    ],
)
def test_words(word: str, severity: Severity) -> None:
    assert parse_severity(word) is severity


@pytest.mark.parametrize("value", [None, "", "banana", "P9", 42, ["critical"], {"level": "critical"}])
def test_unknown_values_take_the_default(value: Any) -> None:
    assert parse_severity(value) is Severity.WARNING
    assert parse_severity(value, default=Severity.INFO) is Severity.INFO


@pytest.mark.parametrize("severity", list(Severity))
def test_a_severity_is_itself_and_its_own_name(severity: Severity) -> None:
    assert parse_severity(severity) is severity
    assert parse_severity(severity.value.upper()) is severity


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=100, deadline=None)
@given(JSON, st.sampled_from(list(Severity)))
def test_always_one_of_the_four_levels(value: Any, default: Severity) -> None:
    assert parse_severity(value, default=default) in set(Severity)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["critical", "high", "warning", "info", "p1", "sev2", "error"]), st.data())
def test_case_and_surrounding_space_do_not_matter(word: str, data: st.DataObject) -> None:
    cased = "".join(char.upper() if data.draw(st.booleans()) else char for char in word)
    padded = data.draw(st.sampled_from(["", " ", "\t"])) + cased + data.draw(st.sampled_from(["", " ", "\n"]))
    assert parse_severity(padded) is parse_severity(word)

"""parse_time: the timestamps providers send, in every spelling and epoch unit, read as UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisre.alerts.model.normalizers._common import parse_time

NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T12:00:00Z", NOON),
        ("2024-05-01T12:00:00+00:00", NOON),
        ("2024-05-01T14:00:00+02:00", NOON),  # Grafana writes local offsets
        ("2024-05-01T12:00:00.000+0000", NOON),  # CloudWatch's offset without a colon
        ("2024-05-01T07:00:00-0500", NOON),
        ("2024-05-01T12:00:00", NOON),  # no zone: UTC
        (" 2024-05-01T12:00:00Z ", NOON),
        ("2024-05-01T12:00:00.123456789Z", NOON.replace(microsecond=123456)),  # Go's nanoseconds
        ("2024-05-01T12:00:00.5Z", NOON.replace(microsecond=500000)),
        ("2024-05-01T14:00:00.987654321+02:00", NOON.replace(microsecond=987654)),
    ],
)
def test_iso_8601(value: str, expected: datetime) -> None:
    parsed = parse_time(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        1714564800,
        1714564800.0,
        "1714564800",
        1714564800000,
        "1714564800000",
        1714564800000000,
        1714564800000000000,
    ],
)
def test_epoch_seconds_milliseconds_microseconds_nanoseconds(value: Any) -> None:
    assert parse_time(value) == NOON


def test_fractional_epoch_seconds() -> None:
    assert parse_time(1714564800.25) == NOON.replace(microsecond=250000)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "0001-01-01T00:00:00Z",  # Go's zero time: Alertmanager's "no end"
        "0001-01-01T00:00:00.000000000Z",
        0,
        -5,
        "0",
        True,
        False,
        "yesterday",
        "2024-13-45T99:00:00Z",
        [2024, 5, 1],
        {"seconds": 1714564800},
        float("nan"),
        float("inf"),
        "nan",
        "1e400",
        10**400,
        "9999-12-31T23:59:59-05:00",  # past datetime.max once in UTC
    ],
)
def test_no_time(value: Any) -> None:
    assert parse_time(value) is None


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1974, 1, 1), max_value=datetime(2500, 1, 1), timezones=st.just(UTC)))
def test_every_epoch_unit_names_the_same_instant(moment: datetime) -> None:
    seconds = moment.timestamp()
    for value in (seconds, round(seconds * 1e3), round(seconds * 1e6), round(seconds * 1e9)):
        parsed = parse_time(value)
        assert parsed is not None
        assert abs(parsed - moment) < timedelta(milliseconds=1)


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_iso_with_any_offset_is_the_same_instant_in_utc(moment: datetime, offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    aware = moment.replace(tzinfo=zone)
    parsed = parse_time(aware.isoformat())
    if aware.year <= 1:
        assert parsed is None  # read as Go's zero time
    else:
        assert parsed == aware
        assert parsed is not None and parsed.utcoffset() == timedelta(0)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(JSON | st.from_regex(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,12})?(Z|[+-]\d\d:?\d\d)?", fullmatch=True))
def test_never_raises(value: Any) -> None:
    parsed = parse_time(value)
    assert parsed is None or parsed.utcoffset() == timedelta(0)

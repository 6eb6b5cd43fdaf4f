"""A schedule checked field by field (every refusal names its field: `time_zone`, `layers[0].participants`,
`overrides[1]`...), its document read back the same; overrides win over layers, later layers win where they cover,
restrictions (business hours) limit a layer to their windows in the schedule's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.errors import ScheduleError
from aisre.notifications.model.oncall.schedule import parse_schedule
from aisre.notifications.model.oncall.shifts import checked_window, on_call_at, shifts_between

BASE: dict[str, Any] = {
    "name": "payments",
    "time_zone": "America/New_York",
    "layers": [{"participants": ["alice", "bob"], "rotation": "daily", "handoff_time": "09:00", "start": "2026-03-02"}],
}


def body(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def with_layer(**changes: Any) -> dict[str, Any]:
    return body(layers=[{**BASE["layers"][0], **changes}])


def refused(raw: Any) -> ScheduleError:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(raw)
    return caught.value


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (body(time_zone="Mars/Olympus_Mons"), "time_zone"),
        (body(time_zone="../../etc/passwd"), "time_zone"),
        (body(time_zone=""), "time_zone"),
        (body(time_zone=5), "time_zone"),
        (body(name=""), "name"),
        (body(layers=[]), "layers"),
        (body(layers="daily"), "layers"),
        (with_layer(participants=[]), "layers[0].participants"),
        (with_layer(participants=["alice", ""]), "layers[0].participants[1]"),
        (with_layer(participants=["alice", 7]), "layers[0].participants[1]"),
        (with_layer(rotation="monthly"), "layers[0].rotation"),
        (with_layer(rotation={"hours": 0}), "layers[0].rotation.hours"),
        (with_layer(rotation={"hours": 1.5}), "layers[0].rotation.hours"),
        (with_layer(rotation={"hours": True}), "layers[0].rotation.hours"),
        (with_layer(rotation={"days": 2}), "layers[0].rotation"),
        (with_layer(handoff_time="9am"), "layers[0].handoff_time"),
        (with_layer(handoff_time="24:00"), "layers[0].handoff_time"),
        (with_layer(handoff_time="09:60"), "layers[0].handoff_time"),
        (with_layer(start="2026-02-30"), "layers[0].start"),
        (with_layer(start="0001-01-01"), "layers[0].start"),
        (with_layer(participant=["x"]), "layers[0].participant"),
        (
            with_layer(restrictions=[{"days": ["funday"], "start": "09:00", "end": "17:00"}]),
            "layers[0].restrictions[0].days[0]",
        ),
        (with_layer(restrictions=[{"start": "9", "end": "17:00"}]), "layers[0].restrictions[0].start"),
        (with_layer(restrictions=[{"start": "09:00"}]), "layers[0].restrictions[0].end"),
        (
            body(overrides=[{"participant": "x", "start": "2026-03-03T10:00:00Z", "end": "2026-03-03T09:00:00Z"}]),
            "overrides[0].end",
        ),
        (
            body(overrides=[{"participant": "x", "start": "yesterday", "end": "2026-03-03T09:00:00Z"}]),
            "overrides[0].start",
        ),
        (
            body(overrides=[{"participant": "", "start": "2026-03-03T08:00Z", "end": "2026-03-03T09:00Z"}]),
            "overrides[0].participant",
        ),
        (
            body(overrides=[{"participant": "x", "start": "2026-03-03T08:00Z", "end": "2028-03-03T09:00Z"}]),
            "overrides[0].end",
        ),
        (body(colour="red"), "colour"),
        ([], "body"),
    ],
)
def test_a_refusal_names_its_field(raw: Any, field: str):
    assert refused(raw).field == field


def test_overlapping_overrides_are_refused_naming_the_later_one():
    error = refused(
        body(
            overrides=[
                {"participant": "carol", "start": "2026-03-10T09:00:00-04:00", "end": "2026-03-11T09:00:00-04:00"},
                {"participant": "dave", "start": "2026-03-12T09:00:00-04:00", "end": "2026-03-13T09:00:00-04:00"},
                {"participant": "erin", "start": "2026-03-11T08:00:00-04:00", "end": "2026-03-11T12:00:00-04:00"},
            ]
        )
    )
    assert error.field == "overrides[2]" and error.details == {"overlaps": "overrides[0]"}
    # End to end is no overlap.
    parse_schedule(
        body(
            overrides=[
                {"participant": "carol", "start": "2026-03-10T09:00:00-04:00", "end": "2026-03-11T09:00:00-04:00"},
                {"participant": "dave", "start": "2026-03-11T09:00:00-04:00", "end": "2026-03-12T09:00:00-04:00"},
            ]
        )
    )


def test_the_document_reads_back_as_the_same_schedule():
    raw = body(
        description="primary",
        layers=[
            {**BASE["layers"][0], "name": "days"},
            {
                "participants": ["nina"],
                "rotation": {"hours": 12},
                "handoff_time": "08:00",
                "start": "2026-03-02",
                "restrictions": [{"days": ["Saturday", "sun"], "start": "00:00", "end": "24:00"}],
            },
        ],
        # Without an offset, an override is read in the schedule's zone.
        overrides=[{"participant": "carol", "start": "2026-03-10T09:00", "end": "2026-03-11T09:00"}],
    )
    spec = parse_schedule(raw)
    assert spec.overrides[0].start == utc("2026-03-10T13:00:00+00:00")
    document = spec.document()
    assert document["layers"][1]["restrictions"] == [{"days": ["sat", "sun"], "start": "00:00", "end": "24:00"}]
    assert document["layers"][1]["rotation"] == {"hours": 12}
    assert document["overrides"] == [
        {"participant": "carol", "start": "2026-03-10T13:00:00Z", "end": "2026-03-11T13:00:00Z"}
    ]
    assert parse_schedule(document) == spec


def test_an_override_wins_over_the_layers_and_the_rotation_resumes_after_it():
    spec = parse_schedule(
        body(
            overrides=[
                {"participant": "carol", "start": "2026-03-03T12:00:00-05:00", "end": "2026-03-03T18:00:00-05:00"}
            ]
        )
    )
    found = shifts_between(spec, utc("2026-03-03T09:00:00-05:00"), utc("2026-03-04T09:00:00-05:00"))
    assert [(s.participant, s.start, s.end, s.source) for s in found] == [
        ("bob", utc("2026-03-03T09:00:00-05:00"), utc("2026-03-03T12:00:00-05:00"), "layer"),
        ("carol", utc("2026-03-03T12:00:00-05:00"), utc("2026-03-03T18:00:00-05:00"), "override"),
        ("bob", utc("2026-03-03T18:00:00-05:00"), utc("2026-03-04T09:00:00-05:00"), "layer"),
    ]
    now = on_call_at(spec, utc("2026-03-03T13:00:00-05:00"))
    assert now is not None and now.participant == "carol" and now.override == 0
    after = on_call_at(spec, utc("2026-03-03T19:00:00-05:00"))
    assert after is not None and after.participant == "bob" and after.turn == 1


def test_business_hours_restrict_a_later_layer_that_wins_inside_them():
    spec = parse_schedule(
        body(
            time_zone="Europe/Berlin",
            layers=[
                {"participants": ["night-owl"], "rotation": "weekly", "handoff_time": "00:00", "start": "2026-03-02"},
                {
                    "participants": ["anna", "ben"],
                    "rotation": "daily",
                    "handoff_time": "09:00",
                    "start": "2026-03-02",
                    "restrictions": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}],
                },
            ],
        )
    )
    # Friday 27 March to Monday 30 March, across the spring-forward Sunday.
    found = shifts_between(spec, utc("2026-03-27T00:00:00+01:00"), utc("2026-03-31T00:00:00+02:00"))
    zone = spec.zone
    assert [
        (s.participant, s.start.astimezone(zone).isoformat(), s.end.astimezone(zone).isoformat()) for s in found
    ] == [
        ("night-owl", "2026-03-27T00:00:00+01:00", "2026-03-27T09:00:00+01:00"),
        ("ben", "2026-03-27T09:00:00+01:00", "2026-03-27T17:00:00+01:00"),
        ("night-owl", "2026-03-27T17:00:00+01:00", "2026-03-30T00:00:00+02:00"),
        ("night-owl", "2026-03-30T00:00:00+02:00", "2026-03-30T09:00:00+02:00"),  # the next weekly turn
        ("anna", "2026-03-30T09:00:00+02:00", "2026-03-30T17:00:00+02:00"),
        ("night-owl", "2026-03-30T17:00:00+02:00", "2026-03-31T00:00:00+02:00"),
    ]


def test_an_overnight_restriction_ends_the_next_day_and_gaps_are_left_out():
    restricted = with_layer(restrictions=[{"days": ["mon"], "start": "22:00", "end": "06:00"}])
    spec = parse_schedule({**restricted, "time_zone": "UTC"})
    found = shifts_between(spec, utc("2026-03-02T00:00:00+00:00"), utc("2026-03-04T00:00:00+00:00"))
    assert [(s.participant, s.start, s.end) for s in found] == [
        ("alice", utc("2026-03-02T22:00:00+00:00"), utc("2026-03-03T06:00:00+00:00")),
    ]


def test_the_window_is_bounded_and_needs_offsets():
    start = utc("2026-03-01T00:00:00+00:00")
    assert checked_window(start, start + timedelta(days=93)) == (start, start + timedelta(days=93))
    with pytest.raises(ScheduleError) as too_long:
        checked_window(start, start + timedelta(days=94))
    assert too_long.value.field == "to"
    with pytest.raises(ScheduleError) as backwards:
        checked_window(start, start)
    assert backwards.value.field == "to"
    with pytest.raises(ScheduleError) as naive:
        checked_window(datetime(2026, 3, 1), start)
    assert naive.value.field == "from"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "name",
                        "time_zone",
                        "layers",
                        "participants",
                        "rotation",
                        "hours",
                        "start",
                        "end",
                        "overrides",
                        "restrictions",
                        "days",
                        "handoff_time",
                        "participant",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_any_json_is_a_schedule_or_a_refusal_naming_a_field(raw: Any):
    try:
        parse_schedule(raw)
    except ScheduleError as error:
        assert error.field

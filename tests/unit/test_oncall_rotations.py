"""Rotations hand off at the local wall-clock time across daylight-saving changes: a daily rotation across the
spring-forward night is a 23-hour shift and across the autumn one a 25-hour shift (America/New_York, Europe/Berlin),
weekly ones 167 and 169 hours, custom ones keep their wall-clock hours; a hand-off the clocks skip lands after the
gap, one that happens twice is the first. And for any schedule: shifts tile the window in order, never overlap,
and agree with who is on call at each instant."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.model.oncall.schedule import parse_schedule
from aisre.notifications.model.oncall.shifts import on_call_at, shifts_between
from aisre.notifications.model.oncall.times import instant, local_wall

HOUR = timedelta(hours=1)


def schedule(zone: str, *layers: dict[str, Any], overrides: list[dict[str, str]] | None = None) -> Any:
    return parse_schedule({"name": "s", "time_zone": zone, "layers": list(layers), "overrides": overrides or []})


def layer(participants: list[str], rotation: Any, handoff: str, start: str, **extra: Any) -> dict[str, Any]:
    return {"participants": participants, "rotation": rotation, "handoff_time": handoff, "start": start, **extra}


def local(spec: Any, shift: Any) -> tuple[str, str, str, timedelta]:
    """(start, end) as ISO 8601 in the schedule's zone, who, how long."""
    zone = spec.zone
    return (
        shift.start.astimezone(zone).isoformat(),
        shift.end.astimezone(zone).isoformat(),
        shift.participant,
        (shift.end - shift.start),
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_daily_in_new_york_across_spring_forward_is_a_23_hour_shift():
    spec = schedule("America/New_York", layer(["alice", "bob"], "daily", "09:00", "2026-03-01"))
    found = [
        local(spec, s) for s in shifts_between(spec, utc("2026-03-07T09:00:00-05:00"), utc("2026-03-10T09:00-04:00"))
    ]
    assert found == [
        ("2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "alice", 23 * HOUR),
        ("2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00", "bob", 24 * HOUR),
        ("2026-03-09T09:00:00-04:00", "2026-03-10T09:00:00-04:00", "alice", 24 * HOUR),
    ]


def test_daily_in_new_york_across_fall_back_is_a_25_hour_shift():
    spec = schedule("America/New_York", layer(["alice", "bob"], "daily", "09:00", "2026-10-30"))
    found = [
        local(spec, s) for s in shifts_between(spec, utc("2026-10-31T09:00:00-04:00"), utc("2026-11-02T09:00-05:00"))
    ]
    assert found == [
        ("2026-10-31T09:00:00-04:00", "2026-11-01T09:00:00-05:00", "bob", 25 * HOUR),
        ("2026-11-01T09:00:00-05:00", "2026-11-02T09:00:00-05:00", "alice", 24 * HOUR),
    ]


def test_daily_in_berlin_across_both_changes():
    spec = schedule("Europe/Berlin", layer(["anna", "ben", "cora"], "daily", "08:00", "2026-03-01"))
    spring = shifts_between(spec, utc("2026-03-28T08:00:00+01:00"), utc("2026-03-30T08:00:00+02:00"))
    assert [local(spec, s) for s in spring] == [
        ("2026-03-28T08:00:00+01:00", "2026-03-29T08:00:00+02:00", "anna", 23 * HOUR),
        ("2026-03-29T08:00:00+02:00", "2026-03-30T08:00:00+02:00", "ben", 24 * HOUR),
    ]
    autumn = shifts_between(spec, utc("2026-10-24T08:00:00+02:00"), utc("2026-10-26T08:00:00+01:00"))
    # 2026-03-01 to 2026-03-28 is 27 days, to 2026-10-24 237: turns 27 and 237, each anna's (mod 3 = 0).
    assert [local(spec, s) for s in autumn] == [
        ("2026-10-24T08:00:00+02:00", "2026-10-25T08:00:00+01:00", "anna", 25 * HOUR),
        ("2026-10-25T08:00:00+01:00", "2026-10-26T08:00:00+01:00", "ben", 24 * HOUR),
    ]


def test_weekly_in_berlin_is_167_then_169_hours_and_hands_off_on_monday_at_ten():
    spec = schedule("Europe/Berlin", layer(["anna", "ben"], "weekly", "10:00", "2026-03-23"))  # a Monday
    spring = shifts_between(spec, utc("2026-03-23T10:00:00+01:00"), utc("2026-04-06T10:00:00+02:00"))
    assert [local(spec, s) for s in spring] == [
        ("2026-03-23T10:00:00+01:00", "2026-03-30T10:00:00+02:00", "anna", 167 * HOUR),
        ("2026-03-30T10:00:00+02:00", "2026-04-06T10:00:00+02:00", "ben", 168 * HOUR),
    ]
    (autumn,) = shifts_between(spec, utc("2026-10-19T10:00:00+02:00"), utc("2026-10-26T10:00:00+01:00"))
    assert local(spec, autumn)[:2] == ("2026-10-19T10:00:00+02:00", "2026-10-26T10:00:00+01:00")
    assert autumn.end - autumn.start == 169 * HOUR


def test_weekly_in_new_york_across_both_changes():
    spec = schedule("America/New_York", layer(["alice", "bob"], "weekly", "09:00", "2026-03-02"))
    spring = shifts_between(spec, utc("2026-03-02T09:00:00-05:00"), utc("2026-03-16T09:00:00-04:00"))
    assert [local(spec, s) for s in spring] == [
        ("2026-03-02T09:00:00-05:00", "2026-03-09T09:00:00-04:00", "alice", 167 * HOUR),
        ("2026-03-09T09:00:00-04:00", "2026-03-16T09:00:00-04:00", "bob", 168 * HOUR),
    ]
    (autumn,) = shifts_between(spec, utc("2026-10-26T09:00:00-04:00"), utc("2026-11-02T09:00:00-05:00"))
    assert autumn.end - autumn.start == 169 * HOUR


def test_a_custom_rotation_keeps_its_wall_clock_hours():
    spec = schedule("America/New_York", layer(["day", "night"], {"hours": 12}, "08:00", "2026-03-07"))
    found = [
        local(spec, s) for s in shifts_between(spec, utc("2026-03-07T20:00:00-05:00"), utc("2026-03-08T20:00-04:00"))
    ]
    assert found == [
        ("2026-03-07T20:00:00-05:00", "2026-03-08T08:00:00-04:00", "night", 11 * HOUR),
        ("2026-03-08T08:00:00-04:00", "2026-03-08T20:00:00-04:00", "day", 12 * HOUR),
    ]


def test_a_hand_off_the_clocks_skip_lands_after_the_gap_and_a_repeated_one_is_the_first():
    spring = schedule("America/New_York", layer(["a", "b"], "daily", "02:30", "2026-03-06"))
    edges = {s.start for s in shifts_between(spring, utc("2026-03-07T00:00-05:00"), utc("2026-03-10T00:00-04:00"))}
    assert utc("2026-03-08T03:30:00-04:00") in edges  # 02:30 does not exist that night
    assert (utc("2026-03-09T02:30:00-04:00") - utc("2026-03-08T03:30:00-04:00")) == 23 * HOUR
    autumn = schedule("America/New_York", layer(["a", "b"], "daily", "01:30", "2026-10-30"))
    edges = {s.start for s in shifts_between(autumn, utc("2026-10-31T00:00-04:00"), utc("2026-11-02T00:00-05:00"))}
    assert utc("2026-11-01T01:30:00-04:00") in edges  # the first 01:30, still daylight time
    assert utc("2026-11-01T01:30:00-05:00") not in edges


def test_before_a_layers_first_hand_off_nobody_is_on_call():
    spec = schedule("UTC", layer(["a"], "daily", "09:00", "2026-05-01"))
    assert on_call_at(spec, utc("2026-05-01T08:59:00+00:00")) is None
    assert on_call_at(spec, utc("2026-05-01T09:00:00+00:00")).participant == "a"  # type: ignore[union-attr]
    (first,) = shifts_between(spec, utc("2026-04-30T00:00:00+00:00"), utc("2026-05-01T12:00:00+00:00"))
    assert first.start == utc("2026-05-01T09:00:00+00:00")


def test_on_call_at_gives_the_whole_shift():
    spec = schedule("Europe/Berlin", layer(["anna", "ben"], "weekly", "10:00", "2026-03-23"))
    shift = on_call_at(spec, utc("2026-03-26T15:00:00+01:00"))
    assert shift is not None and shift.participant == "anna" and shift.turn == 0
    assert (shift.start, shift.end) == (utc("2026-03-23T10:00:00+01:00"), utc("2026-03-30T10:00:00+02:00"))


ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC", "America/Santiago"]


@st.composite
def schedules(draw: st.DrawFn) -> Any:
    zone = draw(st.sampled_from(ZONES))
    count = draw(st.integers(1, 3))
    layers = []
    for _ in range(count):
        rotation = draw(st.sampled_from(["daily", "weekly", {"hours": draw(st.integers(1, 60))}]))
        restricted = draw(st.booleans())
        extra: dict[str, Any] = {}
        if restricted:
            days = draw(st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1))
            extra["restrictions"] = [
                {
                    "days": days,
                    "start": f"{draw(st.integers(0, 23)):02d}:00",
                    "end": f"{draw(st.integers(0, 23)):02d}:30",
                }
            ]
        participants = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=4))
        handoff = f"{draw(st.integers(0, 23)):02d}:{draw(st.sampled_from([0, 15, 30])):02d}"
        start = f"2026-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"
        layers.append(layer(participants, rotation, handoff, start, **extra))
    return schedule(zone, *layers)


@given(schedules(), st.integers(0, 365 * 24), st.integers(1, 24 * 20), st.data())
def test_shifts_tile_the_window_in_order_and_agree_with_who_is_on_call(spec: Any, offset: int, span: int, data: Any):
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=offset)
    end = start + timedelta(hours=span)
    found = shifts_between(spec, start, end)
    for shift in found:
        assert start <= shift.start < shift.end <= end
        layer_spec = spec.layers[shift.layer]
        assert shift.participant == layer_spec.participants[shift.turn % len(layer_spec.participants)]
    for earlier, later in itertools.pairwise(found):
        assert earlier.end <= later.start
    moment = start + timedelta(minutes=data.draw(st.integers(0, span * 60 - 1)))
    covering = [shift for shift in found if shift.covers(moment)]
    now = on_call_at(spec, moment)
    if covering:
        assert now is not None and now.participant == covering[0].participant
        assert (now.layer, now.turn) == (covering[0].layer, covering[0].turn)
        assert now.start <= covering[0].start and covering[0].end <= now.end
    else:
        assert now is None


@given(st.sampled_from(ZONES), st.sampled_from(["daily", "weekly"]), st.integers(0, 23), st.integers(0, 700))
def test_every_hand_off_is_at_the_local_hand_off_time_unless_the_clocks_skip_it(
    zone: str, rotation: str, hour: int, days: int
):
    spec = schedule(zone, layer(["a", "b"], rotation, f"{hour:02d}:00", "2026-01-01"))
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=days)
    for shift in shifts_between(spec, start, start + timedelta(days=30))[1:]:
        wall = shift.start.astimezone(spec.zone).replace(tzinfo=None)
        wanted = wall.replace(hour=hour, minute=0)
        if wall != wanted:
            # Only a hand-off the clocks skip moves, and by the gap (an hour; half an hour on Lord Howe Island).
            assert timedelta(0) < wall - wanted <= HOUR
            assert local_wall(instant(wanted, spec.zone), spec.zone) != wanted

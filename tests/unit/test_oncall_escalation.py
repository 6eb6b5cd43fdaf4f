"""Escalation policies checked field by field; the escalation's timeline (which level of which round is paged at a
minute, what comes next), the state a Step Functions execution carries from page to page and the seconds it waits;
who a level pages at an instant, seed 001's /oncall/current fields, and the preview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.errors import EscalationPolicyError
from aisre.notifications.model.oncall.escalation import (
    EscalationState,
    Policy,
    Step,
    after_page,
    next_step,
    parse_policy,
    step_at,
)
from aisre.notifications.model.oncall.paging import current_oncall, people, preview, resolve_level
from aisre.notifications.model.oncall.schedule import Schedule, parse_schedule

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)  # ISO week 3, as seed 001's example
BASE: dict[str, Any] = {
    "name": "payments",
    "services": ["payments"],
    "levels": [
        {"targets": [{"schedule": "sch-primary"}], "delay_minutes": 15},
        {"targets": [{"user": "eve"}, {"schedule": "sch-primary"}], "delay_minutes": 30},
        {"targets": [{"user": "frank"}], "delay_minutes": 10},
    ],
    "repeat": 1,
}


def policy(**changes: Any) -> Policy:
    return Policy("pol-1", "ws", parse_policy({**BASE, **changes}), NOW, NOW)


def schedule(**changes: Any) -> Schedule:
    raw = {
        "name": "primary",
        "time_zone": "America/New_York",
        "layers": [
            {"participants": ["carol", "dave"], "rotation": "weekly", "handoff_time": "09:00", "start": "2024-12-30"}
        ],
        **changes,
    }
    return Schedule("sch-primary", "ws", parse_schedule(raw), NOW, NOW)


def refused(raw: Any) -> EscalationPolicyError:
    with pytest.raises(EscalationPolicyError) as caught:
        parse_policy(raw)
    return caught.value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"levels": []}, "levels"),
        ({"levels": [{"targets": []}]}, "levels[0].targets"),
        ({"levels": [{"targets": [{"team": "x"}]}]}, "levels[0].targets[0]"),
        ({"levels": [{"targets": [{"user": "a", "schedule": "b"}]}]}, "levels[0].targets[0]"),
        ({"levels": [{"targets": [{"user": ""}]}]}, "levels[0].targets[0].user"),
        ({"levels": [{"targets": [{"user": "a"}], "delay_minutes": -1}]}, "levels[0].delay_minutes"),
        ({"levels": [{"targets": [{"user": "a"}], "delay_minutes": "5"}]}, "levels[0].delay_minutes"),
        ({"levels": [{"targets": [{"user": "a"}], "delay_minutes": float("nan")}]}, "levels[0].delay_minutes"),
        ({"levels": [{"targets": [{"user": "a"}], "wait": 1}]}, "levels[0].wait"),
        ({"levels": [{"targets": [{"user": "a"}], "delay_minutes": 0}], "repeat": 2}, "repeat"),
        ({"repeat": -1}, "repeat"),
        ({"repeat": 11}, "repeat"),
        ({"services": "payments"}, "services"),
        ({"services": ["a", "a"]}, "services[1]"),
        ({"services": ["a#b"]}, "services[0]"),
        ({"name": " "}, "name"),
        ({"owner": "x"}, "owner"),
        # 21 schedules: more than a policy's transaction may name.
        ({"levels": [{"targets": [{"schedule": f"s{n}-{m}"} for n in range(7)]} for m in range(3)]}, "levels"),
    ],
)
def test_a_refusal_names_its_field(changes: dict[str, Any], field: str):
    assert refused({**BASE, **changes}).field == field


def test_the_document_reads_back_and_names_its_schedules():
    spec = parse_policy(
        {**BASE, "levels": [*BASE["levels"][:2], {"targets": [{"user": "frank"}], "delay_minutes": 0.05}]}
    )
    assert spec.schedule_ids == {"sch-primary"}
    assert parse_policy(spec.document()) == spec


def test_the_timeline_walks_levels_then_rounds():
    spec = policy().spec
    assert step_at(spec, 0) == Step(0, 0, 0)
    assert step_at(spec, 14.9) == Step(0, 0, 0)
    assert step_at(spec, 15) == Step(0, 1, 15)
    assert step_at(spec, 45) == Step(0, 2, 45)
    # The last level's delay is the wait before the second round (repeat 1).
    assert step_at(spec, 55) == Step(1, 0, 55)
    assert step_at(spec, 10_000) == Step(1, 2, 100)
    assert next_step(spec, Step(1, 2, 100)) is None
    assert next_step(spec, Step(0, 2, 45)) == Step(1, 0, 55)


def test_after_each_page_the_state_waits_until_the_next_level_is_due():
    spec = policy().spec
    state = EscalationState("ws", "inc-1", "pol-1", NOW, "payments", "critical")
    first = after_page(spec, state, NOW + timedelta(seconds=2), ("carol",))
    assert (first.round, first.level, first.wait_seconds, first.done) == (0, 1, 15 * 60 - 2, False)
    # A slow page does not push the timeline later: level 3 is still due at minute 45.
    second = after_page(spec, first, NOW + timedelta(minutes=16), ("eve", "carol"))
    assert (second.level, second.wait_seconds) == (2, 29 * 60)
    third = after_page(spec, second, NOW + timedelta(minutes=45), ("frank",))
    assert (third.round, third.level, third.wait_seconds) == (1, 0, 10 * 60)
    last = after_page(
        spec, EscalationState("ws", "inc-1", "pol-1", NOW, round=1, level=2), NOW + timedelta(hours=2), ()
    )
    assert last.done and last.reason == "every level paged" and last.wait_seconds == 0
    # Fractions of a minute are seconds, rounded up to the whole second a Wait state takes.
    quick = parse_policy(
        {**BASE, "levels": [{"targets": [{"user": "a"}], "delay_minutes": 0.05}, {"targets": [{"user": "b"}]}]}
    )
    assert after_page(quick, state, NOW, ("a",)).wait_seconds == 3


def test_the_state_round_trips_and_refuses_a_foreign_shape():
    state = EscalationState("ws", "inc-1", "pol-1", NOW, "payments", "critical", 1, 2, 30, False, None, ("a",))
    assert EscalationState.from_dict(state.to_dict()) == state
    with pytest.raises(KeyError):
        EscalationState.from_dict({"incident_id": "x"})
    with pytest.raises(ValueError, match="offset"):
        EscalationState.from_dict({**state.to_dict(), "started_at": "2025-01-15T12:00:00"})


def test_a_level_resolves_to_the_people_on_call_then_each_once():
    primary = schedule()
    resolved = resolve_level(policy().spec.levels[1], {"sch-primary": primary}, NOW)
    # 2024-12-30 09:00 to 2025-01-15 is the third weekly turn (index 2): carol.
    assert [(target.kind, target.person, target.name) for target in resolved] == [
        ("user", "eve", "eve"),
        ("schedule", "carol", "primary"),
    ]
    assert people([*resolved, *resolved]) == ("eve", "carol")
    # A schedule deleted since, or one that covers nobody then, pages nobody.
    gone = resolve_level(policy().spec.levels[0], {}, NOW)
    assert [target.person for target in gone] == [None]


def test_current_oncall_answers_seed_001s_fields():
    primary = schedule()
    current = current_oncall(policy(team="payments-team"), {"sch-primary": primary}, NOW)
    assert current.oncall == "carol" and current.escalation_contact == "eve"
    assert current.week_number == 3 and current.rotation_index == 0  # turn 2 of two participants
    assert current.until == datetime(2025, 1, 20, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
    assert current.responders == ("carol",)
    override = schedule(overrides=[{"participant": "zoe", "start": "2025-01-15T00:00", "end": "2025-01-16T00:00"}])
    covered = current_oncall(policy(), {"sch-primary": override}, NOW)
    assert covered.oncall == "zoe" and covered.rotation_index is None


def test_the_preview_says_who_was_paged_last_and_who_is_next():
    seen = preview(policy(), {"sch-primary": schedule()}, 20, NOW)
    assert (seen.step.level, seen.step.round) == (1, 0)
    assert people(seen.targets) == ("eve", "carol")
    assert seen.following == Step(0, 2, 45) and people(seen.next_targets) == ("frank",)
    over = preview(policy(), {"sch-primary": schedule()}, 1_000, NOW)
    assert over.following is None and over.next_targets == [] and people(over.targets) == ("frank",)


@given(
    st.lists(st.floats(0, 120, allow_nan=False), min_size=1, max_size=5),
    st.integers(0, 3),
    st.floats(0, 2_000, allow_nan=False),
)
def test_step_at_is_the_last_step_due(delays: list[float], repeat: int, minutes: float):
    if repeat and sum(delays) == 0:
        repeat = 0
    spec = parse_policy(
        {"name": "p", "levels": [{"targets": [{"user": "u"}], "delay_minutes": d} for d in delays], "repeat": repeat}
    )
    step = step_at(spec, minutes)
    assert step.at_minutes <= minutes
    following = next_step(spec, step)
    assert following is None or following.at_minutes > minutes
    walked, count = Step(0, 0, 0.0), 0
    while (after := next_step(spec, walked)) is not None:
        walked, count = after, count + 1
    assert count == len(delays) * (repeat + 1) - 1

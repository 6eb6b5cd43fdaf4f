"""Who a policy pages: a level's targets resolved to people at an instant (a schedule's on-call person, a named
user), the on-call answer of a service (seed 001's /oncall/current) and the preview of an escalation at a given
minute (seed 001's /notifications/escalation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from aisre.notifications.model.oncall.escalation import Level, Policy, Step, next_step, step_at
from aisre.notifications.model.oncall.schedule import Schedule
from aisre.notifications.model.oncall.shifts import Shift, on_call_at


@dataclass(frozen=True)
class ResolvedTarget:
    """A target as it stands at an instant: a schedule's shift (nobody when it covers no one then) or a user."""

    kind: str  # schedule | user
    ref: str
    person: str | None
    schedule: Schedule | None = None
    shift: Shift | None = None

    @property
    def name(self) -> str:
        return self.schedule.spec.name if self.schedule is not None else self.ref


def resolve_level(level: Level, schedules: Mapping[str, Schedule], at: datetime) -> list[ResolvedTarget]:
    """Each target of `level` at `at`. A schedule that is gone (deleted since the policy was read) pages nobody."""
    resolved = []
    for target in level.targets:
        if target.kind == "user":
            resolved.append(ResolvedTarget("user", target.ref, target.ref))
            continue
        schedule = schedules.get(target.ref)
        shift = on_call_at(schedule.spec, at) if schedule is not None else None
        resolved.append(
            ResolvedTarget("schedule", target.ref, shift.participant if shift else None, schedule=schedule, shift=shift)
        )
    return resolved


def people(resolved: Sequence[ResolvedTarget]) -> tuple[str, ...]:
    """The people paged, each once, in the level's order."""
    return tuple(dict.fromkeys(target.person for target in resolved if target.person is not None))


@dataclass(frozen=True)
class CurrentOnCall:
    """Seed 001's /oncall/current: the service's policy's first level, the person it pages first (from its first
    schedule that has someone on call, else its first user), who the second level would page, and the rotation."""

    policy: Policy
    responders: tuple[str, ...]
    oncall: str | None
    escalation_contact: str | None
    week_number: int
    rotation_index: int | None
    until: datetime | None
    schedule: Schedule | None
    shift: Shift | None


def current_oncall(policy: Policy, schedules: Mapping[str, Schedule], at: datetime) -> CurrentOnCall:
    first = resolve_level(policy.spec.levels[0], schedules, at)
    chosen = next((target for target in first if target.kind == "schedule" and target.person is not None), None)
    if chosen is None:
        chosen = next((target for target in first if target.person is not None), None)
    second = resolve_level(policy.spec.levels[1], schedules, at) if len(policy.spec.levels) > 1 else []
    second_people = people(second)
    schedule = chosen.schedule if chosen is not None else None
    shift = chosen.shift if chosen is not None else None
    # The ISO week where the schedule is (seed 001 counts rotations in weeks), in UTC without a schedule.
    local = at.astimezone(schedule.spec.zone) if schedule is not None else at
    rotation_index = None
    if schedule is not None and shift is not None and shift.layer is not None and shift.turn is not None:
        rotation_index = shift.turn % len(schedule.spec.layers[shift.layer].participants)
    return CurrentOnCall(
        policy=policy,
        responders=people(first),
        oncall=chosen.person if chosen is not None else None,
        escalation_contact=second_people[0] if second_people else None,
        week_number=local.isocalendar().week,
        rotation_index=rotation_index,
        until=shift.end if shift is not None else None,
        schedule=schedule,
        shift=shift,
    )


@dataclass(frozen=True)
class EscalationPreview:
    """Who an escalation of `policy` pages `minutes_elapsed` after it began (its targets resolved at `at`), and the
    page after it: which level of which round, and at which minute (None once the last round's last level is paged)."""

    policy: Policy
    minutes_elapsed: float
    step: Step
    targets: list[ResolvedTarget]
    following: Step | None
    next_targets: list[ResolvedTarget]


def preview(
    policy: Policy, schedules: Mapping[str, Schedule], minutes_elapsed: float, at: datetime
) -> EscalationPreview:
    step = step_at(policy.spec, minutes_elapsed)
    following = next_step(policy.spec, step)
    return EscalationPreview(
        policy=policy,
        minutes_elapsed=minutes_elapsed,
        step=step,
        targets=resolve_level(policy.spec.levels[step.level], schedules, at),
        following=following,
        next_targets=resolve_level(policy.spec.levels[following.level], schedules, at) if following else [],
    )

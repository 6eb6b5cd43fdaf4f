"""Escalation policies: levels of targets (a schedule's on-call person, or a named user), each with a delay before
the next level, the whole repeated `repeat` more times. Which level is paged `minutes_elapsed` after an incident
opened, which comes next and when; the state one escalation carries from page to page."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from aisre.notifications.errors import EscalationPolicyError
from aisre.notifications.model.oncall.times import checked_name

MAX_LEVELS = 10
MAX_TARGETS = 10
# A policy's write is one transaction with its services' claims and the schedules it names, released and taken
# when it changes: 1 + 2 x 25 + 2 x 20 items stay within DynamoDB's 100 a transaction.
MAX_SERVICES = 25
MAX_SCHEDULES = 20
MAX_REPEAT = 10
MAX_DELAY_MINUTES = 7 * 24 * 60
SERVICE_LIMIT = 128
_POLICY_KEYS = {"name", "services", "levels", "repeat", "team", "description"}


@dataclass(frozen=True)
class Target:
    """Who a level pages: whoever a schedule has on call (`kind` schedule, `ref` its id), or a user by name."""

    kind: str  # schedule | user
    ref: str

    def document(self) -> dict[str, str]:
        return {self.kind: self.ref}


@dataclass(frozen=True)
class Level:
    targets: tuple[Target, ...]
    delay_minutes: float  # after this level is paged, before the next one is

    def document(self) -> dict[str, Any]:
        return {"targets": [target.document() for target in self.targets], "delay_minutes": self.delay_minutes}


@dataclass(frozen=True)
class PolicySpec:
    name: str
    services: tuple[str, ...]
    levels: tuple[Level, ...]
    repeat: int = 0  # rounds after the first: 2 pages every level three times in all
    team: str | None = None
    description: str = ""

    @property
    def schedule_ids(self) -> frozenset[str]:
        return frozenset(target.ref for level in self.levels for target in level.targets if target.kind == "schedule")

    def document(self) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "services": list(self.services),
            "levels": [level.document() for level in self.levels],
            "repeat": self.repeat,
        }
        if self.team is not None:
            shaped["team"] = self.team
        return shaped


@dataclass(frozen=True)
class Policy:
    id: str
    workspace_id: str
    spec: PolicySpec
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    version: int = 1


@dataclass(frozen=True)
class Step:
    """One page of an escalation: level `level` (0-based) of round `round` (0-based), `at_minutes` after it began."""

    round: int
    level: int
    at_minutes: float


def parse_policy(raw: Any) -> PolicySpec:
    """The policy a request's body describes; EscalationPolicyError naming the field otherwise. Whether its
    schedules exist is the service's to check (it names `levels[i].targets[j].schedule`)."""
    if not isinstance(raw, Mapping):
        raise EscalationPolicyError("an escalation policy is a JSON object", field="body")
    unknown = sorted(str(key) for key in raw if key not in _POLICY_KEYS)
    if unknown:
        raise EscalationPolicyError(f"{unknown[0]} is not a field of an escalation policy", field=unknown[0])
    description = raw.get("description") or ""
    if not isinstance(description, str) or len(description) > 2000:
        raise EscalationPolicyError("description must be a string of at most 2000 characters", field="description")
    team = raw.get("team")
    levels_raw = raw.get("levels")
    if not isinstance(levels_raw, list) or not levels_raw:
        raise EscalationPolicyError("levels: a policy needs at least one level", field="levels")
    if len(levels_raw) > MAX_LEVELS:
        raise EscalationPolicyError(f"levels: at most {MAX_LEVELS}", field="levels")
    spec = PolicySpec(
        name=checked_name(raw.get("name"), "name", EscalationPolicyError),
        services=_services(raw.get("services", [])),
        levels=tuple(_level(item, f"levels[{n}]") for n, item in enumerate(levels_raw)),
        repeat=_repeat(raw.get("repeat", 0)),
        team=None if team is None else checked_name(team, "team", EscalationPolicyError),
        description=description,
    )
    if len(spec.schedule_ids) > MAX_SCHEDULES:
        raise EscalationPolicyError(f"levels: a policy may name at most {MAX_SCHEDULES} schedules", field="levels")
    if spec.repeat and cycle_minutes(spec) == 0:
        raise EscalationPolicyError(
            "repeat: with every delay 0 the rounds would all page at once; give a level a delay", field="repeat"
        )
    return spec


def _services(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise EscalationPolicyError("services must be a list of service names", field="services")
    if len(raw) > MAX_SERVICES:
        raise EscalationPolicyError(f"services: at most {MAX_SERVICES}", field="services")
    names: list[str] = []
    for n, service in enumerate(raw):
        name = checked_name(service, f"services[{n}]", EscalationPolicyError, limit=SERVICE_LIMIT)
        if "#" in name:  # the service is part of a key (its claim): keep the key's separator out of it
            raise EscalationPolicyError(f"services[{n}] may not contain '#'", field=f"services[{n}]")
        if name in names:
            raise EscalationPolicyError(f"services[{n}] ({name}) is listed twice", field=f"services[{n}]")
        names.append(name)
    return tuple(names)


def _repeat(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_REPEAT:
        return raw
    raise EscalationPolicyError(f"repeat must be a whole number from 0 to {MAX_REPEAT}", field="repeat")


def _level(raw: Any, where: str) -> Level:
    if not isinstance(raw, Mapping):
        raise EscalationPolicyError(f"{where} must be an object", field=where)
    unknown = sorted(str(key) for key in raw if key not in {"targets", "delay_minutes"})
    if unknown:
        raise EscalationPolicyError(f"{where}.{unknown[0]} is not a field of a level", field=f"{where}.{unknown[0]}")
    targets = raw.get("targets")
    if not isinstance(targets, list) or not targets:
        raise EscalationPolicyError(f"{where}.targets: a level needs at least one target", field=f"{where}.targets")
    if len(targets) > MAX_TARGETS:
        raise EscalationPolicyError(f"{where}.targets: at most {MAX_TARGETS}", field=f"{where}.targets")
    delay = raw.get("delay_minutes", 0)
    if (
        isinstance(delay, bool)
        or not isinstance(delay, int | float)
        or not math.isfinite(delay)
        or not 0 <= delay <= MAX_DELAY_MINUTES
    ):
        raise EscalationPolicyError(
            f"{where}.delay_minutes must be a number of minutes from 0 to {MAX_DELAY_MINUTES}",
            field=f"{where}.delay_minutes",
        )
    return Level(tuple(_target(item, f"{where}.targets[{n}]") for n, item in enumerate(targets)), float(delay))


def _target(raw: Any, where: str) -> Target:
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in ("schedule", "user"):
        raise EscalationPolicyError(f'{where} must be {{"schedule": id}} or {{"user": name}}', field=where)
    kind = str(next(iter(raw)))
    return Target(kind, checked_name(raw[kind], f"{where}.{kind}", EscalationPolicyError, limit=128))


# -- the escalation's timeline --------------------------------------------------------------------------------


def cycle_minutes(spec: PolicySpec) -> float:
    """How long one round lasts: every level's delay, the last one's included (the wait before the next round)."""
    return sum(level.delay_minutes for level in spec.levels)


def first_step() -> Step:
    return Step(0, 0, 0.0)


def next_step(spec: PolicySpec, step: Step) -> Step | None:
    """The page after `step`, or None when the policy has paged its last level of its last round."""
    delay = spec.levels[step.level].delay_minutes
    if step.level + 1 < len(spec.levels):
        return Step(step.round, step.level + 1, step.at_minutes + delay)
    if step.round < spec.repeat:
        return Step(step.round + 1, 0, step.at_minutes + delay)
    return None


def step_at(spec: PolicySpec, minutes_elapsed: float) -> Step:
    """The latest page an escalation has made `minutes_elapsed` after it began (the first one from minute 0)."""
    current = first_step()
    while (following := next_step(spec, current)) is not None and following.at_minutes <= minutes_elapsed:
        current = following
    return current


# -- the state an escalation's execution carries from page to page ---------------------------------------------


@dataclass(frozen=True)
class EscalationState:
    """The Step Functions execution's state: where the escalation is, how long to wait before the next page, and
    whether it is over (`done`, `reason`). `started_at` anchors the timeline, so a slow or retried page does not
    push the next levels later."""

    workspace_id: str
    incident_id: str
    policy_id: str
    started_at: datetime
    service: str | None = None
    severity: str | None = None
    round: int = 0
    level: int = 0
    wait_seconds: int = 0
    done: bool = False
    reason: str | None = None
    paged: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "incident_id": self.incident_id,
            "policy_id": self.policy_id,
            "started_at": self.started_at.isoformat(),
            "service": self.service,
            "severity": self.severity,
            "round": self.round,
            "level": self.level,
            "wait_seconds": self.wait_seconds,
            "done": self.done,
            "reason": self.reason,
            "paged": list(self.paged),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> EscalationState:
        """Raises ValueError (KeyError, TypeError) on a shape this code did not write."""
        started_at = datetime.fromisoformat(str(raw["started_at"]))
        if started_at.tzinfo is None:
            raise ValueError("started_at has no UTC offset")
        return cls(
            workspace_id=str(raw["workspace_id"]),
            incident_id=str(raw["incident_id"]),
            policy_id=str(raw["policy_id"]),
            started_at=started_at,
            service=None if raw.get("service") is None else str(raw["service"]),
            severity=None if raw.get("severity") is None else str(raw["severity"]),
            round=int(raw.get("round") or 0),
            level=int(raw.get("level") or 0),
            wait_seconds=int(raw.get("wait_seconds") or 0),
            done=bool(raw.get("done")),
            reason=raw.get("reason"),
            paged=tuple(str(person) for person in raw.get("paged") or ()),
        )

    def finished(self, reason: str) -> EscalationState:
        return replace(self, done=True, reason=reason, wait_seconds=0)


def after_page(spec: PolicySpec, state: EscalationState, now: datetime, paged: tuple[str, ...]) -> EscalationState:
    """The state once the page of `state`'s level went out at `now`: the next level (or round) and the whole
    seconds until it is due by the policy's timeline, or done after the last one."""
    # A policy changed since the last page may have fewer levels: its last one is where this escalation is.
    level = min(state.level, len(spec.levels) - 1)
    following = next_step(spec, Step(state.round, level, 0.0))
    if following is None:
        return replace(state, paged=paged).finished("every level paged")
    elapsed = (now - state.started_at).total_seconds() / 60
    due = _at_minutes(spec, following.round, following.level)
    # Rounded first, so that 0.05 minutes is 3 seconds and not 4 by a float's last digit.
    wait = max(0, math.ceil(round((due - elapsed) * 60, 6)))
    return replace(state, round=following.round, level=following.level, wait_seconds=wait, paged=paged)


def _at_minutes(spec: PolicySpec, round_: int, level: int) -> float:
    return round_ * cycle_minutes(spec) + sum(item.delay_minutes for item in spec.levels[:level])

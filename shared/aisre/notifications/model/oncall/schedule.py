"""An on-call schedule as written: layers of rotations (daily, weekly, a custom number of hours) handed off at a
wall-clock time in the schedule's IANA zone, restrictions that limit a layer to some hours of some days, overrides
that cover a stretch for someone. Every refusal names its field (`layers[0].participants`, `overrides[1]`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from aisre.core.timestamps import utc_iso
from aisre.notifications.errors import ScheduleError
from aisre.notifications.model.oncall.times import (
    checked_name,
    parse_clock,
    parse_date,
    parse_instant,
    parse_zone,
)

MAX_LAYERS = 10
MAX_PARTICIPANTS = 50
MAX_RESTRICTIONS = 14
MAX_OVERRIDES = 200
MAX_ROTATION_HOURS = 24 * 92  # a quarter: longer rotations are not rotations anyone keeps in their head
MAX_OVERRIDE_SPAN = timedelta(days=366)
PARTICIPANT_LIMIT = 128
# Dates and instants outside these years are typing mistakes, and would overflow the rotations' arithmetic.
FIRST_YEAR, LAST_YEAR = 1971, 9000

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SCHEDULE_KEYS = {"name", "time_zone", "layers", "overrides", "description"}
_LAYER_KEYS = {"name", "participants", "rotation", "handoff_time", "start", "restrictions"}


@dataclass(frozen=True)
class Rotation:
    """How long each participant holds a layer, in wall-clock hours: daily 24, weekly 168, custom N."""

    kind: str  # daily | weekly | custom
    hours: int

    def document(self) -> str | dict[str, int]:
        return {"hours": self.hours} if self.kind == "custom" else self.kind


DAILY = Rotation("daily", 24)
WEEKLY = Rotation("weekly", 24 * 7)


@dataclass(frozen=True)
class Restriction:
    """A layer covers only inside these windows: from `start` on each of `days` (0 is Monday) to `end`, local time.
    An `end` at or before `start` is on the next day (22:00-06:00 is a night; 00:00-24:00 a whole day)."""

    days: tuple[int, ...]
    start: time
    end: time

    def document(self) -> dict[str, Any]:
        end = "24:00" if self.end == time(0, 0) and self.start == time(0, 0) else self.end.strftime("%H:%M")
        return {"days": [WEEKDAYS[day] for day in self.days], "start": self.start.strftime("%H:%M"), "end": end}


@dataclass(frozen=True)
class Layer:
    participants: tuple[str, ...]
    rotation: Rotation
    handoff_time: time
    start: date
    restrictions: tuple[Restriction, ...] = ()
    name: str | None = None

    def document(self) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "participants": list(self.participants),
            "rotation": self.rotation.document(),
            "handoff_time": self.handoff_time.strftime("%H:%M"),
            "start": self.start.isoformat(),
            "restrictions": [restriction.document() for restriction in self.restrictions],
        }
        if self.name is not None:
            shaped["name"] = self.name
        return shaped


@dataclass(frozen=True)
class Override:
    """`participant` is on call from `start` to `end` (UTC instants), whatever the layers say."""

    participant: str
    start: datetime
    end: datetime

    def document(self) -> dict[str, str]:
        return {"participant": self.participant, "start": utc_iso(self.start), "end": utc_iso(self.end)}


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule's document, checked. Later layers win where they cover; overrides win over every layer."""

    name: str
    time_zone: str
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()
    description: str = ""

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "time_zone": self.time_zone,
            "layers": [layer.document() for layer in self.layers],
            "overrides": [override.document() for override in self.overrides],
        }


@dataclass(frozen=True)
class Schedule:
    """A stored schedule: its document, its id, and the escalation policies that name it."""

    id: str
    workspace_id: str
    spec: ScheduleSpec
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    version: int = 1
    policies: frozenset[str] = field(default_factory=frozenset)


def parse_schedule(raw: Any) -> ScheduleSpec:
    """The schedule a request's body describes (issue #13's shape); ScheduleError naming the field otherwise."""
    if not isinstance(raw, Mapping):
        raise ScheduleError("a schedule is a JSON object", field="body")
    _refuse_unknown(raw, _SCHEDULE_KEYS, "")
    name = checked_name(raw.get("name"), "name", ScheduleError)
    description = raw.get("description") or ""
    if not isinstance(description, str) or len(description) > 2000:
        raise ScheduleError("description must be a string of at most 2000 characters", field="description")
    zone = parse_zone(raw.get("time_zone"), "time_zone", ScheduleError)
    layers = _list(raw.get("layers"), "layers", MAX_LAYERS, required=True)
    overrides = _list(raw.get("overrides"), "overrides", MAX_OVERRIDES)
    spec = ScheduleSpec(
        name=name,
        time_zone=zone.key,
        layers=tuple(_layer(item, f"layers[{n}]") for n, item in enumerate(layers)),
        overrides=tuple(_override(item, f"overrides[{n}]", zone) for n, item in enumerate(overrides)),
        description=description,
    )
    check_overrides(spec.overrides)
    return spec


def check_overrides(overrides: Sequence[Override]) -> None:
    """Two overrides may not cover the same moment: the later one in the list is named."""
    for later, override in enumerate(overrides):
        for earlier in range(later):
            other = overrides[earlier]
            if override.start < other.end and other.start < override.end:
                raise ScheduleError(
                    f"overrides[{later}] ({override.participant}) overlaps overrides[{earlier}] ({other.participant})",
                    field=f"overrides[{later}]",
                    details={"overlaps": f"overrides[{earlier}]"},
                )


def _refuse_unknown(raw: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        where = f"{prefix}.{unknown[0]}" if prefix else unknown[0]
        raise ScheduleError(f"{where} is not a field here (known: {', '.join(sorted(allowed))})", field=where)


def _list(value: Any, where: str, limit: int, *, required: bool = False) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise ScheduleError(f"{where} must be a list", field=where)
    if required and not value:
        raise ScheduleError(f"{where} needs at least one entry", field=where)
    if len(value) > limit:
        raise ScheduleError(f"{where} has more than {limit} entries", field=where)
    return value


def _layer(raw: Any, where: str) -> Layer:
    if not isinstance(raw, Mapping):
        raise ScheduleError(f"{where} must be an object", field=where)
    _refuse_unknown(raw, _LAYER_KEYS, where)
    participants = raw.get("participants")
    if not isinstance(participants, list) or not participants:
        raise ScheduleError(
            f"{where}.participants: a rotation needs at least one participant", field=f"{where}.participants"
        )
    if len(participants) > MAX_PARTICIPANTS:
        raise ScheduleError(f"{where}.participants has more than {MAX_PARTICIPANTS}", field=f"{where}.participants")
    names = tuple(
        checked_name(person, f"{where}.participants[{n}]", ScheduleError, limit=PARTICIPANT_LIMIT)
        for n, person in enumerate(participants)
    )
    start = parse_date(raw.get("start"), f"{where}.start", ScheduleError)
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        raise ScheduleError(f"{where}.start must be between {FIRST_YEAR} and {LAST_YEAR}", field=f"{where}.start")
    restrictions = _list(raw.get("restrictions"), f"{where}.restrictions", MAX_RESTRICTIONS)
    layer_name = raw.get("name")
    return Layer(
        participants=names,
        rotation=_rotation(raw.get("rotation"), f"{where}.rotation"),
        handoff_time=parse_clock(raw.get("handoff_time", "00:00"), f"{where}.handoff_time", ScheduleError),
        start=start,
        restrictions=tuple(_restriction(item, f"{where}.restrictions[{n}]") for n, item in enumerate(restrictions)),
        name=None if layer_name is None else checked_name(layer_name, f"{where}.name", ScheduleError),
    )


def _rotation(raw: Any, where: str) -> Rotation:
    if raw == "daily":
        return DAILY
    if raw == "weekly":
        return WEEKLY
    if isinstance(raw, Mapping) and set(raw) == {"hours"}:
        amount = raw["hours"]
        if isinstance(amount, int) and not isinstance(amount, bool) and 1 <= amount <= MAX_ROTATION_HOURS:
            return Rotation("custom", amount)
        raise ScheduleError(
            f"{where}.hours must be a whole number of hours from 1 to {MAX_ROTATION_HOURS}", field=f"{where}.hours"
        )
    raise ScheduleError(f'{where} must be "daily", "weekly" or {{"hours": N}}', field=where)


def _restriction(raw: Any, where: str) -> Restriction:
    if not isinstance(raw, Mapping):
        raise ScheduleError(f"{where} must be an object", field=where)
    _refuse_unknown(raw, {"days", "start", "end"}, where)
    days_raw = raw.get("days", list(WEEKDAYS))
    if not isinstance(days_raw, list) or not days_raw:
        raise ScheduleError(f"{where}.days must be a list of weekdays (mon ... sun)", field=f"{where}.days")
    days: set[int] = set()
    for n, day in enumerate(days_raw):
        spelled = day.strip().lower() if isinstance(day, str) else None
        if spelled in WEEKDAYS:
            days.add(WEEKDAYS.index(spelled))
        elif spelled in _FULL_WEEKDAYS:
            days.add(_FULL_WEEKDAYS.index(spelled))
        else:
            raise ScheduleError(f"{where}.days[{n}] must be a weekday: mon ... sun", field=f"{where}.days[{n}]")
    return Restriction(
        days=tuple(sorted(days)),
        start=parse_clock(raw.get("start"), f"{where}.start", ScheduleError),
        end=parse_clock(raw.get("end"), f"{where}.end", ScheduleError, allow_24=True),
    )


def _override(raw: Any, where: str, zone: ZoneInfo) -> Override:
    if not isinstance(raw, Mapping):
        raise ScheduleError(f"{where} must be an object", field=where)
    _refuse_unknown(raw, {"participant", "start", "end"}, where)
    participant = checked_name(raw.get("participant"), f"{where}.participant", ScheduleError, limit=PARTICIPANT_LIMIT)
    start = parse_instant(raw.get("start"), f"{where}.start", ScheduleError, zone)
    end = parse_instant(raw.get("end"), f"{where}.end", ScheduleError, zone)
    for moment, part in ((start, "start"), (end, "end")):
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ScheduleError(f"{where}.{part} must be between {FIRST_YEAR} and {LAST_YEAR}", field=f"{where}.{part}")
    if end <= start:
        raise ScheduleError(f"{where}: end must be after start", field=f"{where}.end")
    if end - start > MAX_OVERRIDE_SPAN:
        raise ScheduleError(f"{where} covers more than {MAX_OVERRIDE_SPAN.days} days", field=f"{where}.end")
    return Override(participant, start, end)

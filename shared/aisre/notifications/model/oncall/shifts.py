"""Who is on call when: each layer's rotation handed off at its local wall-clock time (a daily rotation across the
spring-forward night is a 23-hour shift, across the autumn one a 25-hour shift), cut to its restrictions; later
layers win where they cover, overrides win over every layer."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from aisre.notifications.errors import ScheduleError
from aisre.notifications.model.oncall.schedule import FIRST_YEAR, LAST_YEAR, Layer, Restriction, ScheduleSpec
from aisre.notifications.model.oncall.times import instant, local_wall

Span = tuple[datetime, datetime]
# The longest window shifts are listed (or exported) for: a listing's size is bounded.
MAX_WINDOW = timedelta(days=93)
# How far either side of an instant its shift is looked for (a weekly turn and a day, and more).
ON_CALL_REACH = timedelta(days=16)


@dataclass(frozen=True)
class Shift:
    """One stretch of one person on call, from `start` to `end` (UTC instants): a layer's rotation turn (`layer`,
    `turn`: the turn's number since the layer's start) or an override (`override`: its index)."""

    start: datetime
    end: datetime
    participant: str
    layer: int | None = None
    turn: int | None = None
    override: int | None = None

    @property
    def source(self) -> str:
        return "override" if self.override is not None else "layer"

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def handoff(layer: Layer, zone: ZoneInfo, turn: int) -> datetime:
    """The instant turn `turn` of the layer begins: the start date's hand-off time plus `turn` rotations of
    wall-clock hours, read in the schedule's zone."""
    first = datetime.combine(layer.start, layer.handoff_time)
    return instant(first + timedelta(hours=layer.rotation.hours * turn), zone)


def turn_at(layer: Layer, zone: ZoneInfo, moment: datetime) -> int | None:
    """The turn of the layer's rotation running at `moment`; None before its first hand-off."""
    first = handoff(layer, zone, 0)
    if moment < first:
        return None
    turn = int((moment - first).total_seconds() // (layer.rotation.hours * 3600))
    # Daylight-saving changes move the wall-clock hand-offs an hour or two against this estimate.
    while turn > 0 and handoff(layer, zone, turn) > moment:
        turn -= 1
    while handoff(layer, zone, turn + 1) <= moment:
        turn += 1
    return turn


def turns(layer: Layer, zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime, int]]:
    """The layer's rotation turns overlapping [start, end), each cut to it: (from, to, turn)."""
    turn = turn_at(layer, zone, start)
    if turn is None:
        turn = 0
    found = []
    begins = handoff(layer, zone, turn)
    while begins < end:
        ends = handoff(layer, zone, turn + 1)
        cut = (max(begins, start), min(ends, end))
        if cut[0] < cut[1]:  # a hand-off the clocks skipped over leaves a turn of no length
            found.append((cut[0], cut[1], turn))
        turn, begins = turn + 1, ends
    return found


def restriction_windows(
    restrictions: tuple[Restriction, ...], zone: ZoneInfo, start: datetime, end: datetime
) -> list[Span]:
    """The instants the restrictions let a layer cover within [start, end), merged; everything when there are none."""
    if not restrictions:
        return [(start, end)]
    windows: list[Span] = []
    day = local_wall(start, zone).date() - timedelta(days=1)
    last = local_wall(end, zone).date()
    while day <= last:
        for restriction in restrictions:
            if day.weekday() not in restriction.days:
                continue
            overnight = restriction.end <= restriction.start
            opens = instant(datetime.combine(day, restriction.start), zone)
            closes = instant(datetime.combine(day + timedelta(days=1 if overnight else 0), restriction.end), zone)
            if opens < end and start < closes and opens < closes:
                windows.append((max(opens, start), min(closes, end)))
        day += timedelta(days=1)
    return _merged(windows)


def layer_shifts(spec: ScheduleSpec, index: int, start: datetime, end: datetime) -> list[Shift]:
    """Layer `index`'s turns within [start, end), inside its restrictions."""
    layer, zone = spec.layers[index], spec.zone
    windows = restriction_windows(layer.restrictions, zone, start, end)
    found = []
    at = 0  # both are in order and never overlap themselves: one pass over each
    for begins, ends, turn in turns(layer, zone, start, end):
        person = layer.participants[turn % len(layer.participants)]
        while at < len(windows) and windows[at][1] <= begins:
            at += 1
        for opens, closes in windows[at:]:
            if opens >= ends:
                break
            cut = (max(begins, opens), min(ends, closes))
            if cut[0] < cut[1]:
                found.append(Shift(cut[0], cut[1], person, layer=index, turn=turn))
    return found


def shifts_between(spec: ScheduleSpec, start: datetime, end: datetime) -> list[Shift]:
    """Who is on call from `start` to `end`, in order: overrides over layers, later layers over earlier ones.
    Stretches nobody covers are left out."""
    if end <= start:
        return []
    candidates: list[list[Shift]] = [layer_shifts(spec, index, start, end) for index in range(len(spec.layers))]
    overrides = [
        Shift(max(override.start, start), min(override.end, end), override.participant, override=index)
        for index, override in enumerate(spec.overrides)
        if override.start < end and start < override.end
    ]
    # Highest priority first: overrides, then the layers from the last one down.
    ranked = [sorted(overrides, key=lambda shift: shift.start), *reversed(candidates)]
    starts = [[shift.start for shift in shifts] for shifts in ranked]
    cuts = sorted({start, end, *(edge for shifts in ranked for shift in shifts for edge in (shift.start, shift.end))})
    found: list[Shift] = []
    for begins, ends in pairwise(cuts):
        winner = _covering(ranked, starts, begins)
        if winner is None:
            continue
        previous = found[-1] if found else None
        if previous is not None and previous.end == begins and _same_turn(previous, winner):
            found[-1] = replace(previous, end=ends)
        else:
            found.append(replace(winner, start=begins, end=ends))
    return found


def on_call_at(spec: ScheduleSpec, moment: datetime) -> Shift | None:
    """The shift running at `moment`, or None when nobody covers it. An override is whole; a layer's shift is whole
    when it lasts less than ON_CALL_REACH either side of `moment` (a weekly turn), else cut there (a long custom
    rotation under hourly layers would otherwise cost months of shifts to answer one instant)."""
    for index, override in enumerate(spec.overrides):
        if override.start <= moment < override.end:
            return Shift(override.start, override.end, override.participant, override=index)
    longest = max((layer.rotation.hours for layer in spec.layers), default=24)
    reach = min(timedelta(hours=longest) + timedelta(days=1), ON_CALL_REACH)
    return next((shift for shift in shifts_between(spec, moment - reach, moment + reach) if shift.covers(moment)), None)


def _covering(ranked: list[list[Shift]], starts: list[list[datetime]], moment: datetime) -> Shift | None:
    for shifts, begins in zip(ranked, starts, strict=True):
        at = bisect_right(begins, moment) - 1
        if at >= 0 and shifts[at].covers(moment):
            return shifts[at]
    return None


def _same_turn(one: Shift, other: Shift) -> bool:
    """Two stretches of one turn (a layer's, or an override), cut apart only by where other shifts begin or end."""
    return (one.participant, one.layer, one.turn, one.override) == (
        other.participant,
        other.layer,
        other.turn,
        other.override,
    )


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for begins, ends in sorted(spans):
        if merged and begins <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends))
        else:
            merged.append((begins, ends))
    return merged


def checked_window(start: datetime, end: datetime, *, limit: timedelta = MAX_WINDOW) -> tuple[datetime, datetime]:
    """A window to list shifts in: `from` before `to`, at most `limit` apart (a listing's size is bounded)."""
    for moment, field in ((start, "from"), (end, "to")):
        if moment.tzinfo is None:
            raise ScheduleError(f"{field} must carry a UTC offset (2026-03-08T00:00:00-05:00, or Z)", field=field)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ScheduleError(f"{field} must be between {FIRST_YEAR} and {LAST_YEAR}", field=field)
    if end <= start:
        raise ScheduleError("to must be after from", field="to")
    if end - start > limit:
        raise ScheduleError(f"the window from from to to may be at most {limit.days} days", field="to")
    return start, end

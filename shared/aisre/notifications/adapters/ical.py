"""A schedule's shifts as iCalendar (RFC 5545, the `icalendar` package): one VEVENT per shift, its times in the
schedule's zone (TZID, with the VTIMEZONE that defines it), its UID stable for as long as the shift is the same, so a
calendar that subscribes to the export updates its events instead of adding copies."""

from __future__ import annotations

from collections.abc import Sequence

from aisre.notifications.model.oncall.schedule import Schedule
from aisre.notifications.model.oncall.shifts import Shift

PRODID = "-//aisre//on-call schedules//EN"


def shift_uid(schedule: Schedule, shift: Shift) -> str:
    """The same shift (schedule, start, who, from where) has the same UID in every export; shifts of a schedule
    never overlap, so its start alone tells them apart."""
    origin = f"override{shift.override}" if shift.override is not None else f"layer{shift.layer}-turn{shift.turn}"
    return f"{schedule.id}-{shift.start.strftime('%Y%m%dT%H%M%SZ')}-{origin}@aisre"


class ICalendarWriter:
    """CalendarWriter (ports.py)."""

    def calendar(self, schedule: Schedule, shifts: Sequence[Shift]) -> bytes:
        from icalendar import Calendar, Event

        zone = schedule.spec.zone
        calendar = Calendar.new(prodid=PRODID, name=f"On call: {schedule.spec.name}", uid=f"{schedule.id}@aisre")
        calendar.add("X-WR-TIMEZONE", zone.key)
        for shift in shifts:
            where = "override" if shift.override is not None else f"layer {(shift.layer or 0) + 1}"
            calendar.add_component(
                Event.new(
                    uid=shift_uid(schedule, shift),
                    summary=f"On call: {shift.participant}",
                    description=f"{schedule.spec.name} ({where})",
                    start=shift.start.astimezone(zone),
                    end=shift.end.astimezone(zone),
                    stamp=schedule.updated_at,
                    categories=["on-call"],
                )
            )
        calendar.add_missing_timezones()
        data: bytes = calendar.to_ical()
        return data

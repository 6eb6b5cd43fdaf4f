"""On-call schedules: create, read, list, replace and delete a workspace's schedules (each checked whole before
it is stored: a 422 names the field), their shifts over a bounded window, and the same as iCalendar."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.paging import Page
from aisre.notifications.model.oncall.schedule import Schedule, parse_schedule
from aisre.notifications.model.oncall.shifts import MAX_WINDOW, Shift, checked_window, shifts_between
from aisre.notifications.ports import CalendarWriter, ScheduleStore

DEFAULT_WINDOW = timedelta(days=14)


def new_schedule_id() -> str:
    return f"sch-{secrets.token_hex(6)}"


class OnCallService:
    def __init__(
        self,
        store: ScheduleStore,
        calendar: CalendarWriter,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_schedule_id,
    ):
        self._store = store
        self._calendar = calendar
        self._clock = clock
        self._new_id = new_id

    def create_schedule(self, workspace_id: str, raw: Mapping[str, Any], principal: str | None) -> Schedule:
        spec = parse_schedule(raw)
        now = self._clock()
        schedule = Schedule(self._new_id(), workspace_id, spec, now, now, created_by=principal)
        self._store.create_schedule(schedule)
        return schedule

    def get_schedule(self, workspace_id: str, schedule_id: str) -> Schedule:
        return self._store.get_schedule(workspace_id, schedule_id)

    def list_schedules(self, workspace_id: str, limit: int, cursor: str | None) -> Page[Schedule]:
        return self._store.list_schedules(workspace_id, limit, cursor)

    def replace_schedule(self, workspace_id: str, schedule_id: str, raw: Mapping[str, Any]) -> Schedule:
        """The whole document replaced (PUT); the policies that name it still do."""
        spec = parse_schedule(raw)
        before = self._store.get_schedule(workspace_id, schedule_id)
        after = replace(before, spec=spec, updated_at=self._clock(), version=before.version + 1)
        self._store.replace_schedule(before, after)
        return after

    def delete_schedule(self, workspace_id: str, schedule_id: str) -> Schedule:
        """ConflictError while an escalation policy names it (it would page nobody)."""
        schedule = self._store.get_schedule(workspace_id, schedule_id)
        self._store.delete_schedule(schedule)
        return schedule

    def shifts(
        self, workspace_id: str, schedule_id: str, start: datetime | None, end: datetime | None
    ) -> tuple[Schedule, datetime, datetime, list[Shift]]:
        """Who is on call from `start` (now by default) to `end` (DEFAULT_WINDOW later by default): MAX_WINDOW at
        most."""
        schedule = self._store.get_schedule(workspace_id, schedule_id)
        start, end = self.window(start, end)
        return schedule, start, end, shifts_between(schedule.spec, start, end)

    def calendar(self, workspace_id: str, schedule_id: str, start: datetime | None, end: datetime | None) -> bytes:
        """The shifts as iCalendar: by default from a week ago for as long as a window may be (a calendar that
        subscribes to it sees the coming weeks)."""
        if start is None:
            start = self._clock() - timedelta(days=7)
        if end is None:
            end = start + MAX_WINDOW
        schedule, _, _, shifts = self.shifts(workspace_id, schedule_id, start, end)
        return self._calendar.calendar(schedule, shifts)

    def window(self, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
        begins = start if start is not None else self._clock()
        return checked_window(begins, end if end is not None else begins + DEFAULT_WINDOW)

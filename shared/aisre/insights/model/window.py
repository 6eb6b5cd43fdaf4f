"""The window a report covers: `days` calendar days in UTC, today included, and its bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

MIN_DAYS = 1
MAX_DAYS = 90
# Reading more incidents than this for one report stops, and the report says it is truncated.
MAX_INCIDENTS = 5_000


@dataclass(frozen=True)
class Window:
    days: int
    since: datetime  # midnight UTC of the first day
    until: datetime  # the moment the report was made

    @property
    def first_day(self) -> date:
        return self.since.date()

    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]


def as_utc(moment: datetime) -> datetime:
    """A naive moment is the platform's UTC (core.clock); an aware one is moved to UTC, so they compare."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def window(days: int, now: datetime) -> Window:
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days must be between {MIN_DAYS} and {MAX_DAYS}")
    until = as_utc(now)
    first = until.date() - timedelta(days=days - 1)
    return Window(days=days, since=datetime.combine(first, time.min, tzinfo=UTC), until=until)

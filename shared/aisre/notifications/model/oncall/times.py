"""Reading the times a schedule is written in (an IANA zone, "HH:MM", dates, instants) and turning a local wall-clock
time into the instant it names, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aisre.core.errors import ValidationError

MAX_NAME = 200


def parse_zone(value: Any, field: str, error: type[ValidationError]) -> ZoneInfo:
    """The IANA time zone `value` names ("Europe/Berlin"); refused when the tz database has no such zone."""
    if not isinstance(value, str) or not value.strip():
        raise error(f"{field} must be an IANA time zone name such as Europe/Berlin", field=field)
    name = value.strip()
    # ZoneInfo reads a file named after the key: a path is never a zone name.
    if len(name) > 64 or name.startswith(("/", ".")) or ".." in name or "\\" in name:
        raise error(f"{field}: unknown time zone {name[:64]!r}", field=field)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as missing:
        raise error(f"{field}: unknown time zone {name!r}", field=field) from missing


def parse_clock(value: Any, field: str, error: type[ValidationError], *, allow_24: bool = False) -> time:
    """A wall-clock time "HH:MM" (24-hour). `allow_24` lets "24:00" name the end of a day (returned as 00:00)."""
    if isinstance(value, str) and len(value) == 5 and value[2] == ":" and (value[:2] + value[3:]).isdigit():
        hours, minutes = int(value[:2]), int(value[3:])
        if allow_24 and (hours, minutes) == (24, 0):
            return time(0, 0)
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise error(f"{field} must be a time of day HH:MM (00:00 to 23:59)", field=field)


def parse_date(value: Any, field: str, error: type[ValidationError]) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise error(f"{field} must be a date YYYY-MM-DD", field=field)


def parse_instant(value: Any, field: str, error: type[ValidationError], zone: ZoneInfo) -> datetime:
    """An ISO 8601 date-time; one without a UTC offset is read in `zone` (the schedule's). Returned in UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and 10 <= len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError as bad:
            raise error(f"{field} must be an ISO 8601 date-time, e.g. 2026-03-08T09:00:00-05:00", field=field) from bad
    else:
        raise error(f"{field} must be an ISO 8601 date-time, e.g. 2026-03-08T09:00:00-05:00", field=field)
    if moment.tzinfo is None:
        return instant(moment, zone)
    return moment.astimezone(UTC)


def instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone`. A time the clocks skip (spring forward: 02:30 in New York)
    is read with the offset before the change, so it lands as far after the change as it was after the gap's start
    (03:30); a time that happens twice (autumn) is its first occurrence."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time `moment` shows in `zone`."""
    return moment.astimezone(zone).replace(tzinfo=None)


def checked_name(value: Any, field: str, error: type[ValidationError], *, limit: int = MAX_NAME) -> str:
    """A non-empty name of at most `limit` characters, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise error(f"{field} must be a non-empty string", field=field)
    if len(value.strip()) > limit:
        raise error(f"{field} is longer than {limit} characters", field=field)
    return value.strip()

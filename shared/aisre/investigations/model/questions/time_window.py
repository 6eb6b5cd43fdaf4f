"""The time window a question names ("since last Thursday", "yesterday", "last 2 hours", "in December",
"since 2025-06-10", "between 2025-06-01 and 2025-06-03"), resolved against the current time.

Pure: `now` comes from the caller (a tool's clock), so an answer is reproducible. Calendar words are read in
UTC. A window is [start, end): `end` is now for open-ended phrases. The first form found wins, the more
specific first (between two dates, since a date, calendar words such as "last week", then "last N units").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")  # fmt: skip
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}  # fmt: skip

_DATE = r"(\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?)?z?)"
_BETWEEN = re.compile(rf"\b(?:between|from)\s+{_DATE}\s+(?:and|to|until)\s+{_DATE}")
_SINCE_DATE = re.compile(rf"\b(?:since|after|from)\s+{_DATE}")
_LAST_N = re.compile(
    r"\b(?:(?:in\s+)?the\s+)?(?:last|past)\s+(\d+|" + "|".join(_NUMBER_WORDS) + r")?\s*"
    r"(second|minute|hour|day|week)s?\b"
)
_AGO = re.compile(r"\b(\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(second|minute|hour|day|week)s?\s+ago\b")
_WEEKDAY = re.compile(r"\b(since\s+|from\s+|on\s+)?(last\s+)?(" + "|".join(_WEEKDAYS) + r")\b(\s+on(?:wards?)?\b)?")
_MONTH = re.compile(r"\b(?:in|during|since|from|for|of)\s+(" + "|".join(_MONTHS) + r")(?:\s+(\d{4}))?\b")
_RELATIVE_DAY = re.compile(r"\b(since\s+)?(today|yesterday|this week|last week|this month|last month)\b")


@dataclass(frozen=True)
class TimeWindow:
    start: datetime
    end: datetime
    phrase: str  # the words it was read from, to say back in the answer

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def time_window(question: str, now: datetime) -> TimeWindow | None:
    """The window the question names, or None when it names none."""
    text = question.lower()
    now = now.astimezone(UTC)
    for read in (_between, _since_date, _relative_day, _last_n, _ago, _weekday, _month):
        window = read(text, now)
        if window is not None:
            return window
    return None


def _parse_date(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.upper().replace(" ", "T").removesuffix("Z"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _count(raw: str | None) -> int:
    if raw is None:
        return 1
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]


def _between(text: str, now: datetime) -> TimeWindow | None:
    match = _BETWEEN.search(text)
    if match is None:
        return None
    start, end = _parse_date(match.group(1)), _parse_date(match.group(2))
    if "t" not in match.group(2) and " " not in match.group(2).strip():
        end += timedelta(days=1)  # "until 2025-06-03" includes that day
    return TimeWindow(min(start, end), max(start, end), match.group(0))


def _since_date(text: str, now: datetime) -> TimeWindow | None:
    match = _SINCE_DATE.search(text)
    return TimeWindow(_parse_date(match.group(1)), now, match.group(0)) if match else None


def _last_n(text: str, now: datetime) -> TimeWindow | None:
    match = _LAST_N.search(text)
    if match is None:
        return None
    span = timedelta(seconds=_count(match.group(1)) * _UNITS[match.group(2)])
    return TimeWindow(now - span, now, match.group(0).strip())


def _ago(text: str, now: datetime) -> TimeWindow | None:
    """ "2 hours ago": from then until now (what happened since then)."""
    match = _AGO.search(text)
    if match is None:
        return None
    span = timedelta(seconds=_count(match.group(1)) * _UNITS[match.group(2)])
    return TimeWindow(now - span, now, match.group(0))


def _relative_day(text: str, now: datetime) -> TimeWindow | None:
    match = _RELATIVE_DAY.search(text)
    if match is None:
        return None
    since, word = bool(match.group(1)), match.group(2)
    today = _midnight(now.date())
    week = today - timedelta(days=now.weekday())
    month = today.replace(day=1)
    previous_month = (month - timedelta(days=1)).replace(day=1)
    start, end = {
        "today": (today, now),
        "yesterday": (today - timedelta(days=1), today),
        "this week": (week, now),
        "last week": (week - timedelta(days=7), week),
        "this month": (month, now),
        "last month": (previous_month, month),
    }[word]
    return TimeWindow(start, now if since else end, match.group(0))


def _weekday(text: str, now: datetime) -> TimeWindow | None:
    """ "since last Thursday" (from that day's start until now), "on Monday" (that day), "last Friday" (that day).
    The day is the latest one before today with that name."""
    match = _WEEKDAY.search(text)
    if match is None:
        return None
    # "since Tuesday", "from Tuesday onwards": until now; "on Tuesday", "last Tuesday": that day.
    since = (match.group(1) or "").strip() == "since" or bool(match.group(4))
    back = (now.weekday() - _WEEKDAYS.index(match.group(3))) % 7 or 7
    day = _midnight(now.date() - timedelta(days=back))
    return TimeWindow(day, now if since else day + timedelta(days=1), match.group(0))


def _month(text: str, now: datetime) -> TimeWindow | None:
    """ "in December": the latest December that has begun (this year's, or last year's before it comes)."""
    match = _MONTH.search(text)
    if match is None:
        return None
    number = _MONTHS.index(match.group(1)) + 1
    year = int(match.group(2)) if match.group(2) else (now.year if number <= now.month else now.year - 1)
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=UTC)
    if match.group(0).startswith("since"):
        end = now
    return TimeWindow(start, min(end, now), match.group(0))

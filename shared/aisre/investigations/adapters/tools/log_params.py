"""`fetch_pod_logs` as HolmesGPT's logging toolsets take it: its parameters read and checked, its line filter, and
the way the answer is worded. Pure: every backend (the Kubernetes API, Loki, CloudWatch Logs) uses the same rules.

The parameters (HolmesGPT's `FetchPodLogsParams`): `pod_name`, `namespace`, `start_time` and `end_time` (RFC 3339,
or a negative number of seconds: `start_time` before `end_time`, `end_time` before now; a positive number is a Unix
time), `filter` and `exclude_filter` (case-insensitive; a regular expression when the text is a valid one, else a
plain substring, as HolmesGPT's `filter_logs` does), and `limit` (the most recent N lines once filtered).
A bad parameter is a `LogParamError` naming it, which the runners answer as an "error" result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

TOOL = "fetch_pod_logs"
DEFAULT_LIMIT = 100  # HolmesGPT's DEFAULT_LOG_LIMIT
MAX_LIMIT = 5_000  # more than this is cut to this (HolmesGPT sets none; a prompt cannot hold more anyway)
# HolmesGPT's DEFAULT_TIME_SPAN_SECONDS: a log store is searched over the last week unless told otherwise.
DEFAULT_SPAN = timedelta(days=7)


class LogParamError(ValueError):
    """A parameter that cannot be used; `param` names it, the message says what was expected."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class LineFilter:
    """`filter` and `exclude_filter` compiled: regex when valid, else a case-insensitive substring."""

    include: str | None = None
    exclude: str | None = None
    _include: Callable[[str], bool] | None = field(default=None, repr=False, compare=False)
    _exclude: Callable[[str], bool] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, include: str | None, exclude: str | None) -> LineFilter:
        return cls(include or None, exclude or None, _matcher(include), _matcher(exclude))

    def keeps(self, line: str) -> bool:
        if self._include is not None and not self._include(line):
            return False
        return not (self._exclude is not None and self._exclude(line))

    @property
    def active(self) -> bool:
        return self._include is not None or self._exclude is not None


def _matcher(pattern: str | None) -> Callable[[str], bool] | None:
    if not pattern:
        return None
    compiled = regex_or_none(pattern)
    if compiled is not None:
        return lambda line: compiled.search(line) is not None
    lowered = pattern.lower()
    return lambda line: lowered in line.lower()


def regex_or_none(pattern: str) -> re.Pattern[str] | None:
    """The pattern compiled case-insensitively, or None when it is not a valid regular expression."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None


@dataclass(frozen=True)
class PodLogQuery:
    """A checked `fetch_pod_logs` call. `start`/`end` are None where the caller gave no bound and the backend
    reads everything it holds (the Kubernetes API); a log store gets `window()` instead."""

    pod_name: str
    namespace: str
    start: datetime | None
    end: datetime | None
    filter: str | None
    exclude_filter: str | None
    limit: int
    limit_cut: bool = False  # the caller asked for more than MAX_LIMIT
    lines: LineFilter = field(default_factory=LineFilter)

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None

    def window(self, now: datetime, default_span: timedelta = DEFAULT_SPAN) -> tuple[datetime, datetime]:
        """(start, end) for a store that needs both: now and a week before it where not given."""
        end = self.end or now
        return (self.start or end - default_span), end

    def in_window(self, when: datetime | None) -> bool:
        """Whether a line stamped `when` falls inside the bounds (a line without a time always does)."""
        if when is None:
            return True
        if self.start is not None and when < self.start:
            return False
        return not (self.end is not None and when > self.end)


def parse_pod_log_params(params: Mapping[str, Any], now: datetime) -> PodLogQuery:
    """The call's parameters checked and resolved against `now`; raises LogParamError naming the bad one."""
    pod = _required(params, "pod_name")
    namespace = _required(params, "namespace")
    end = _moment(params.get("end_time"), "end_time", now, relative_to=now)
    start = _moment(params.get("start_time"), "start_time", now, relative_to=end or now)
    if start is not None and end is not None and start > end:
        raise LogParamError("start_time", f"start_time {rfc3339(start)} is after end_time {rfc3339(end)}")
    limit, cut = _limit(params.get("limit"))
    include = _text(params.get("filter"))
    exclude = _text(params.get("exclude_filter"))
    return PodLogQuery(pod, namespace, start, end, include, exclude, limit, cut, LineFilter.of(include, exclude))


def _required(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise LogParamError(name, f"missing required parameter {name!r} for {TOOL}")
    return value.strip()


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _moment(value: Any, name: str, now: datetime, relative_to: datetime) -> datetime | None:
    """RFC 3339, a negative number of seconds before `relative_to`, a Unix time, or None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise LogParamError(name, _bad_time(name, value))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            return _rfc3339(text, name)
    if number != number or number in (float("inf"), float("-inf")):
        raise LogParamError(name, _bad_time(name, value))
    if number < 0:
        return relative_to + timedelta(seconds=number)
    if number == 0:  # HolmesGPT reads an end of 0 as "now"
        return now
    return datetime.fromtimestamp(number, UTC)


def _rfc3339(text: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise LogParamError(name, _bad_time(name, text)) from None
    # A time without an offset is read as UTC, as HolmesGPT does.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _bad_time(name: str, value: Any) -> str:
    relative = "before end_time" if name == "start_time" else "before now"
    return (
        f"invalid {name} {value!r}: expected an RFC 3339 time (e.g. 2025-06-12T00:00:00Z) "
        f"or a negative number of seconds {relative} (e.g. -3600)"
    )


def _limit(value: Any) -> tuple[int, bool]:
    if value is None or value == "":
        return DEFAULT_LIMIT, False
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+").isdigit():
        number = int(value.strip())
    if number is None or number < 1:
        raise LogParamError("limit", f"invalid limit {value!r}: expected a positive whole number of lines")
    return min(number, MAX_LIMIT), number > MAX_LIMIT


def rfc3339(when: datetime) -> str:
    """`2025-06-12T00:00:00Z` (fractions kept only when there are some)."""
    when = when.astimezone(UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + "Z"


# --- the answer ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    """One line as a backend read it: when (if known), which pod and container, and what was printed."""

    when: datetime | None
    text: str
    container: str | None = None
    pod: str | None = None
    order: int = 0  # the order it was read in, so lines of one moment stay in it


def select(lines: Iterable[LogLine], query: PodLogQuery) -> tuple[list[LogLine], int, int]:
    """(the lines kept, oldest first, at most `limit`; how many matched; how many were read)."""
    read = list(lines)
    matched = [line for line in read if query.in_window(line.when) and query.lines.keeps(line.text)]
    # Stable: lines without a time keep their place among those of their read.
    matched.sort(key=lambda line: (line.when or datetime.min.replace(tzinfo=UTC), line.order))
    return matched[-query.limit :], len(matched), len(read)


def render_lines(lines: Sequence[LogLine], with_time: bool, read: Sequence[LogLine] = ()) -> list[str]:
    """As HolmesGPT prints them: the line, prefixed with its container when the pod's lines came from several
    containers (with pod/container when from several pods), and with its time first where the backend's tool
    prints it (Loki's does, the Kubernetes one does not)."""
    seen = read or lines
    pods = {line.pod for line in seen if line.pod}
    containers = {line.container for line in seen if line.container}
    rendered = []
    for line in lines:
        prefix = ""
        if len(pods) > 1:
            prefix = f"{line.pod or 'N/A'}/{line.container or 'N/A'}: "
        elif len(containers) > 1:
            prefix = f"{line.container or 'N/A'}: "
        stamp = f"{rfc3339(line.when.replace(microsecond=0))} " if with_time and line.when else ""
        rendered.append(f"{stamp}{prefix}{line.text}")
    return rendered


_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})")


def split_timestamp(line: str) -> tuple[datetime | None, str]:
    """(`when`, the rest) of a line the Kubernetes API stamped (`timestamps=true`: RFC 3339 with nanoseconds, a
    space, the line); (None, line) when it carries no stamp."""
    match = _STAMP.match(line)
    if not match:
        return None, line
    fraction = (match.group(2) or "")[:6].ljust(6, "0")
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    try:
        when = datetime.fromisoformat(f"{match.group(1)}.{fraction}{zone}").astimezone(UTC)
    except ValueError:
        return None, line
    rest = line[match.end() :]
    # Only the one space after the stamp goes: the line's own indentation stays.
    return when, rest[1:] if rest.startswith(" ") else rest


def limit_note(query: PodLogQuery, shown: int, matched: int) -> str | None:
    """A last line saying what `limit` left out, worded after HolmesGPT's log metadata; None when nothing was."""
    if matched <= shown:
        return None
    latest = f"returned the latest {shown:,} of {matched:,} matching lines ({matched - shown:,} omitted)"
    if query.limit_cut:
        return f"[limit is at most {MAX_LIMIT:,}: {latest}]"
    return f"[limit {query.limit:,} applied: {latest}]"


def no_logs_message(query: PodLogQuery, read: int, window: tuple[datetime, datetime] | None = None) -> str:
    """`No logs found for pod X in namespace Y matching 'term' between A and B.` and what to try next."""
    parts = [f"No logs found for pod {query.pod_name} in namespace {query.namespace}"]
    if query.filter:
        parts.append(f"matching '{query.filter}'")
    if query.exclude_filter:
        parts.append(f"excluding '{query.exclude_filter}'")
    start, end = window or (query.start, query.end)
    if start is not None and end is not None:
        parts.append(f"between {rfc3339(start)} and {rfc3339(end)}")
    elif start is not None:
        parts.append(f"since {rfc3339(start)}")
    elif end is not None:
        parts.append(f"before {rfc3339(end)}")
    message = " ".join(parts) + "."
    if read and query.lines.active:
        message += f" {read:,} lines were read before filtering: try a broader filter, or drop it."
    elif read:
        message += f" {read:,} lines were read, none in that time range: try a wider range, or drop it."
    return message

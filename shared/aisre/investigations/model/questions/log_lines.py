"""Log text as entries (a line and its continuation lines), each with its time and level when the line says
them; narrowed by a time window, a term, a level and a count; errors grouped by kind.

Pure and tolerant: a line whose time or level cannot be read is kept, with None for what is unknown. Formats
read: ISO-8601 and its variants (`2025-06-12 22:14:51,711`, `2025-06-20T10:47:52.026Z`, `2025/06/12 ...`),
`date` output (`Fri Jul 11 13:23:24 UTC 2025`), syslog-style without a year, levels as words (`ERROR`,
`[error]`, `level=error`, `"level":"error"`) and klog's one-letter prefix (`E0611 12:34:56.789 ...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aisre.investigations.model.questions.time_window import TimeWindow

_ISO = re.compile(
    r"(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2}|UTC)?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_CMD = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+(" + "|".join(_MONTHS) + r")\w*\s+(\d{1,2}),?\s+"
    r"(\d{2}):(\d{2}):(\d{2})(?:\s+[A-Z]{2,5})?\s+(\d{4})",
    re.IGNORECASE,
)
_LEVEL_WORD = re.compile(
    r"(?:^|[\s\[\]|:(\"'=])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|CRIT|FATAL|PANIC|SEVERE|EMERG)"
    r"(?=$|[\s\]|:)\"',])",
    re.IGNORECASE,
)
_KLOG = re.compile(r"^([IWEF])\d{4} \d{2}:\d{2}:\d{2}")
_SEVERITY = {
    "TRACE": 0, "DEBUG": 0, "INFO": 1, "NOTICE": 1, "WARN": 2, "WARNING": 2, "ERROR": 3, "ERR": 3,
    "SEVERE": 3, "CRITICAL": 4, "CRIT": 4, "FATAL": 4, "PANIC": 4, "EMERG": 4,
}  # fmt: skip
_CANONICAL = {0: "DEBUG", 1: "INFO", 2: "WARN", 3: "ERROR", 4: "FATAL"}
# Words that make an unlabelled line an error or a warning.
_ERROR_WORDS = re.compile(
    r"\b(?:error|exception|traceback|fatal|panic|failed|failure|refused|denied|forbidden|unable to|cannot|"
    r"could not|timed? ?out|unreachable|unavailable|expired)\b",
    re.IGNORECASE,
)
_WARN_WORDS = re.compile(r"\b(?:warn(?:ing)?|deprecated|retry(?:ing)?|slow)\b", re.IGNORECASE)
# What a recorded tool output wraps the log in.
_WRAPPERS = frozenset({"stdout:", "stderr:"})


@dataclass(frozen=True)
class LogEntry:
    text: str  # the line, with its continuation lines (a stack trace) after a newline
    at: datetime | None = None
    level: str | None = None  # DEBUG, INFO, WARN, ERROR or FATAL; None when the line does not say

    @property
    def head(self) -> str:
        return self.text.split("\n", 1)[0]

    @property
    def severity(self) -> int:
        """The level's rank; an unlabelled line ranks by its words (an "error" line is an error)."""
        if self.level is not None:
            return _SEVERITY[self.level]
        if _ERROR_WORDS.search(self.head):
            return 3
        return 2 if _WARN_WORDS.search(self.head) else 1


def parse_time(line: str, year: int | None = None) -> datetime | None:
    """The first timestamp in the line's first 80 characters, as UTC."""
    head = line[:80]
    match = _ISO.search(head)
    if match:
        year_, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        fraction = (match.group(7) or "0")[:6].ljust(6, "0")
        try:
            value = datetime(year_, month, day, hour, minute, second, int(fraction), tzinfo=UTC)
        except ValueError:
            return None
        zone = match.group(8)
        if zone and zone not in ("Z", "UTC"):
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[-2:])
            value -= sign * timedelta(hours=hours, minutes=minutes)
        return value
    match = _DATE_CMD.search(head)
    if match:
        month = _MONTHS.index(match.group(1).lower()[:3]) + 1
        try:
            hour, minute, second = (int(match.group(i)) for i in (3, 4, 5))
            return datetime(int(match.group(6)), month, int(match.group(2)), hour, minute, second, tzinfo=UTC)
        except ValueError:
            return None
    return None


def parse_level(line: str) -> str | None:
    klog = _KLOG.match(line)
    if klog:
        return {"I": "INFO", "W": "WARN", "E": "ERROR", "F": "FATAL"}[klog.group(1)]
    match = _LEVEL_WORD.search(line[:120])
    if match is None:
        return None
    word = match.group(1)
    # A lower-case "error" inside a sentence is a word, not a level; a level is upper case or in a level field.
    in_field = re.search(r"(?:level|severity|lvl)[\"']?\s*[:=]\s*[\"']?$", line[: match.start(1)])
    if not word.isupper() and not in_field and line[max(0, match.start(1) - 1)] != "[":
        return None
    return _CANONICAL[_SEVERITY[word.upper()]]


def split_entries(text: str) -> list[LogEntry]:
    """Entries in order; an indented line (a stack frame) continues the entry before it."""
    entries: list[tuple[list[str], datetime | None, str | None]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped in _WRAPPERS:
            continue
        if entries and (line[:1].isspace() or stripped.startswith(("at ", "Caused by:", "..."))):
            entries[-1][0].append(line.rstrip())
            continue
        entries.append(([line.rstrip()], parse_time(line), parse_level(line)))
    return [LogEntry("\n".join(lines), at, level) for lines, at, level in entries]


def term_matcher(term: str) -> re.Pattern[str]:
    """Lines containing the term, case-insensitively; a term that is a valid regular expression is one (as
    HolmesGPT's `filter` is), otherwise it is matched as written."""
    try:
        return re.compile(term, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(term), re.IGNORECASE)


def narrow(
    entries: Sequence[LogEntry],
    window: TimeWindow | None = None,
    term: str | None = None,
    level: str | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """The entries within the window (an entry without a time is kept), containing the term, of the level or
    worse, and of those the most recent `limit`."""
    kept: list[LogEntry] = list(entries)
    if window is not None:
        kept = [e for e in kept if e.at is None or window.start <= e.at < window.end]
    if term:
        pattern = term_matcher(term)
        kept = [e for e in kept if pattern.search(e.text)]
    if level:
        floor = _SEVERITY.get(level.upper(), 3)
        kept = [e for e in kept if e.severity >= floor]
    if limit is not None and limit >= 0:
        kept = kept[-limit:] if limit else []
    return kept


# -- grouping ------------------------------------------------------------------------------------------------

_VOLATILE = (
    (re.compile(r"\"[^\"]*\"|'[^']*'"), "'…'"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE), "<id>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"\b(?=[a-z0-9]*\d)[a-z0-9]{8,}\b", re.IGNORECASE), "<id>"),
    (re.compile(r"\d+"), "N"),
)


def message_of(entry: LogEntry) -> str:
    """The entry's first line without its timestamp and level: what it says."""
    head = entry.head
    match = _ISO.search(head[:80]) or _DATE_CMD.search(head[:80])
    if match:
        head = head[match.end() :]
    head = re.sub(r"^[\s\]\[|:,-]*", "", head)
    level = _LEVEL_WORD.match(" " + head)
    if level:
        head = re.sub(r"^[\s\]\[|:,-]*", "", head[level.end() - 1 :])
    return head.strip() or entry.head.strip()


def _shape(message: str) -> set[str]:
    for pattern, placeholder in _VOLATILE:
        message = pattern.sub(placeholder, message)
    return set(re.findall(r"[\w<>'…]+", message.lower()))


@dataclass(frozen=True)
class EntryGroup:
    """Entries that say the same thing but for volatile values (ids, numbers, quoted values)."""

    sample: str  # the first entry's message
    count: int
    first: datetime | None
    last: datetime | None
    entries: tuple[LogEntry, ...]


# Two messages are of one kind when they share this share of their words (after volatile values are masked).
SAME_KIND = 0.6


def group_entries(entries: Iterable[LogEntry]) -> list[EntryGroup]:
    """Groups in order of first appearance, the largest first."""
    groups: list[tuple[set[str], list[LogEntry]]] = []
    for entry in entries:
        shape = _shape(message_of(entry))
        for words, members in groups:
            union = words | shape
            if union and len(words & shape) / len(union) >= SAME_KIND:
                members.append(entry)
                break
        else:
            groups.append((shape, [entry]))
    out = []
    for _, members in groups:
        times = [e.at for e in members if e.at is not None]
        out.append(
            EntryGroup(
                sample=message_of(members[0]),
                count=len(members),
                first=min(times) if times else None,
                last=max(times) if times else None,
                entries=tuple(members),
            )
        )
    return sorted(out, key=lambda g: -g.count)

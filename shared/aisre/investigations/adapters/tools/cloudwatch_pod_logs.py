"""HolmesGPT's `fetch_pod_logs` answered from CloudWatch Logs, where EKS clusters send their containers' logs
(Container Insights / Fluent Bit: a group such as /aws/containerinsights/<cluster>/application, a stream per
container named `...<pod>_<namespace>_<container>-<id>.log`, events that are JSON with a `log` field and
`kubernetes.pod_name`).

Which events are the pod's: the streams whose name holds the pod's name (DescribeLogStreams, most recently written
first); where no stream name does, the events mentioning the pod (filter pattern `"<pod>"`), checked against their
`kubernetes.pod_name` when they carry one. The filter goes to CloudWatch as a case-insensitive regex filter pattern
where it can be written as one (plain words, or words joined by `|`) and is always applied here too, with the
exclude filter and HolmesGPT's rules (regex when valid, else substring). FilterLogEvents reads oldest first, so the
time range is read in windows from its end backwards, each twice the last, until `limit` lines matched or the
range is done: the latest lines come first, and a busy pod costs one or two calls.

Read-only: DescribeLogStreams and FilterLogEvents only. `client` is a boto3 "logs" client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aisre.investigations.adapters.tools.log_params import LogLine, PodLogQuery

FIRST_WINDOW = timedelta(minutes=15)
MAX_STREAMS_SCANNED = 1_000  # DescribeLogStreams pages of 50, newest streams first
MAX_STREAMS_QUERIED = 100  # FilterLogEvents takes at most 100 stream names
MAX_EVENTS_READ = 20_000  # across windows: past this the answer says it stopped reading
_PAGE = 10_000  # FilterLogEvents' largest page
_PATTERN_MAX = 1024
# What a CloudWatch regex filter pattern may hold besides letters and digits (no spaces, no parentheses).
_PLAIN = re.compile(r"^[A-Za-z0-9:_#=@/;,.\-]+$")


def cloudwatch_pattern(text: str | None) -> str | None:
    """A filter pattern matching what HolmesGPT's case-insensitive `filter` matches, where CloudWatch's regex
    syntax can say it: plain words, or words joined by `|` ("err|error|fatal"); None otherwise (filtered here)."""
    if not text:
        return None
    alternatives = text.split("|")
    if not all(_PLAIN.match(alternative) for alternative in alternatives):
        return None

    def insensitive(char: str) -> str:
        if char.isalpha():
            return f"[{char.lower()}{char.upper()}]"
        return "\\." if char == "." else char

    pattern = "%" + "|".join("".join(insensitive(c) for c in alternative) for alternative in alternatives) + "%"
    return pattern if len(pattern) <= _PATTERN_MAX else None


def pod_in(text: str, pod: str) -> bool:
    """Whether `text` names the pod itself, not one whose name merely starts with it (web-1 is not web-10)."""
    return re.search(rf"(?<![a-z0-9-]){re.escape(pod)}(?![a-z0-9-])", text) is not None


@dataclass
class Reading:
    """What was read: the lines (the pod's, before `filter`), how many events, and what to say about it."""

    lines: list[LogLine] = field(default_factory=list)
    events: int = 0
    notes: list[str] = field(default_factory=list)
    missing_groups: list[str] = field(default_factory=list)


def read_pod_logs(client: Any, groups: Sequence[str], query: PodLogQuery, start: datetime, end: datetime) -> Reading:
    reading = Reading()
    sources = []
    for group in groups:
        try:
            streams = _pod_streams(client, group, query.pod_name, query.namespace)
        except Exception as error:
            if _code(error) == "ResourceNotFoundException":
                reading.missing_groups.append(group)
                continue
            raise
        sources.append((group, streams))
    matched = 0
    for window_start, window_end, last_inclusive in _windows(start, end):
        found: list[LogLine] = []
        for group, streams in sources:
            for event in _events(client, group, streams, query, (window_start, window_end, last_inclusive)):
                reading.events += 1
                line = _line(event, query, by_stream=bool(streams))
                if line is not None:
                    found.append(line)
        found.sort(key=lambda line: line.when or start)  # stable: one stream's lines of one moment keep their order
        reading.lines[:0] = found
        matched += sum(1 for line in found if query.lines.keeps(line.text))
        if matched >= query.limit:
            break
        if reading.events >= MAX_EVENTS_READ:
            reading.notes.append(
                f"[stopped reading at {reading.events:,} events: lines before {_stamp(window_start)} were not read]"
            )
            break
    # Renumbered oldest first, so that lines of one moment keep the order CloudWatch gave them.
    reading.lines = [LogLine(x.when, x.text, x.container, x.pod, order=i) for i, x in enumerate(reading.lines)]
    return reading


def _windows(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime, bool]]:
    """[start, end] in windows from the end backwards: 15 minutes, 30, an hour, ... (the last one cut at start).
    Each is (from, to, whether `to` is in it): only the first holds its end, the others' end is the next one's."""
    size, upper = FIRST_WINDOW, end
    if start >= end:
        yield start, end, True
        return
    while upper > start:
        lower = max(start, upper - size)
        yield lower, upper, upper == end
        upper, size = lower, size * 2


def _pod_streams(client: Any, group: str, pod: str, namespace: str) -> list[str]:
    """The group's streams named after the pod (Container Insights' `<pod>_<namespace>_` ones first)."""
    names: list[str] = []
    scanned, token = 0, None
    while scanned < MAX_STREAMS_SCANNED:
        request: dict[str, Any] = {"logGroupName": group, "orderBy": "LastEventTime", "descending": True}
        if token:
            request["nextToken"] = token
        page = client.describe_log_streams(**request)
        for stream in page.get("logStreams") or []:
            scanned += 1
            name = str(stream.get("logStreamName") or "")
            if pod_in(name, pod):
                names.append(name)
        token = page.get("nextToken")
        if not token or not page.get("logStreams"):
            break
    exact = [name for name in names if f"{pod}_{namespace}_" in name]
    return (exact or names)[:MAX_STREAMS_QUERIED]


def _events(
    client: Any, group: str, streams: list[str], query: PodLogQuery, window: tuple[datetime, datetime, bool]
) -> Iterator[dict[str, Any]]:
    start, end, end_inclusive = window
    request: dict[str, Any] = {
        "logGroupName": group,
        "startTime": _millis(start),
        # Windows do not overlap: an event at a boundary belongs to the later window.
        "endTime": max(_millis(end) - (0 if end_inclusive else 1), _millis(start)),
        "limit": _PAGE,
    }
    if streams:
        request["logStreamNames"] = streams
        pattern = cloudwatch_pattern(query.filter)
        if pattern:
            request["filterPattern"] = pattern
    else:
        request["filterPattern"] = json.dumps(query.pod_name)
    seen_tokens = set()
    while True:
        page = client.filter_log_events(**request)
        yield from page.get("events") or []
        token = page.get("nextToken")
        if not token or token in seen_tokens:
            return
        seen_tokens.add(token)
        request["nextToken"] = token


def _line(event: dict[str, Any], query: PodLogQuery, by_stream: bool) -> LogLine | None:
    """The event as a line of the pod, or None when it is another pod's (found by mention only)."""
    message = str(event.get("message") or "")
    container: str | None = None
    text = message
    document: Any = None
    if message.lstrip().startswith("{"):
        try:
            document = json.loads(message)
        except ValueError:
            document = None
    if isinstance(document, dict):
        found = document.get("kubernetes")
        kubernetes: dict[str, Any] = found if isinstance(found, dict) else {}
        pod, namespace = kubernetes.get("pod_name"), kubernetes.get("namespace_name")
        if pod and (pod != query.pod_name or (namespace and namespace != query.namespace)):
            return None
        if not pod and not by_stream and not pod_in(message, query.pod_name):
            return None
        container = kubernetes.get("container_name")
        if isinstance(document.get("log"), str):
            text = document["log"]
    elif not by_stream and not pod_in(message, query.pod_name):
        return None
    if container is None:
        container = _stream_container(str(event.get("logStreamName") or ""), query)
    when = datetime.fromtimestamp(int(event.get("timestamp") or 0) / 1000, UTC) if event.get("timestamp") else None
    return LogLine(when, text.rstrip("\n"), container=container)


def _stream_container(stream: str, query: PodLogQuery) -> str | None:
    """The container of a Container Insights stream: `..._<pod>_<namespace>_<container>-<container id>.log`."""
    prefix = f"{query.pod_name}_{query.namespace}_"
    if prefix not in stream:
        return None
    rest = stream.split(prefix, 1)[1].removesuffix(".log")
    return re.sub(r"-[0-9a-f]{12,}$", "", rest) or None


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _code(error: Exception) -> str:
    response = getattr(error, "response", None)
    return str((response or {}).get("Error", {}).get("Code") or "") if isinstance(response, dict) else ""

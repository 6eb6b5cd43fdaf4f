"""A ToolRunner over Loki's HTTP API: LogQL log queries (`loki_query_logs`), and HolmesGPT's `fetch_pod_logs`
answered from Loki (a stream selector on the pod's labels, LogQL line filters for `filter` and `exclude_filter`, the
time range, the newest `limit` lines), rendered as timestamped lines, newest last.

Read-only by construction: GET /loki/api/v1/query_range only. Status rules as for Prometheus: a Loki error
(JSON or plain text) is "error", an unreachable server "unavailable", no lines "no_data"; `run` never raises.
When the output exceeds the budget, the END is kept: the latest lines matter most.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from aisre.investigations.adapters.tools.log_params import (
    LogLine,
    LogParamError,
    PodLogQuery,
    limit_note,
    no_logs_message,
    parse_pod_log_params,
    regex_or_none,
    render_lines,
    select,
)
from aisre.investigations.adapters.tools.prometheus import (
    DEFAULT_BUDGET,
    DEFAULT_TIMEOUT,
    QueryFailure,
    api_url,
    fit_head,
    format_labels,
    get_api_json,
    render_result,
    warnings_of,
)
from aisre.investigations.model.evidence import ToolResult

DEFAULT_LIMIT = 200
MAX_LIMIT = 5000
_NOTE_ROOM = 120

LOKI_TOOLS = frozenset({"loki_query_logs", "fetch_pod_logs"})
_REGEX_SPECIALS = re.compile(r"([\\.+*?()|\[\]{}^$])")


def rfc3339(nanoseconds: int) -> str:
    seconds, rest = divmod(nanoseconds, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{rest // 1_000_000:03d}Z"


def _limit(raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT
    return min(max(value, 1), MAX_LIMIT)


def render_streams(result: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(header, lines): every entry of every stream, oldest first. One stream's labels go in the header;
    with several streams each line carries its stream's labels."""
    entries: list[tuple[int, int, str, str]] = []
    for order, stream in enumerate(result):
        labels = format_labels(stream.get("stream") or {})
        for value in stream.get("values") or []:
            if len(value) < 2:
                continue
            try:
                ns = int(value[0])
            except (TypeError, ValueError):
                ns = 0
            entries.append((ns, order, labels, str(value[1]).rstrip("\n")))
    entries.sort(key=lambda e: (e[0], e[1]))
    streams = {e[2] for e in entries}
    if len(streams) == 1:
        header = [f"{len(entries)} lines from {next(iter(streams))}"]
        return header, [f"{rfc3339(ns)} {line}" for ns, _, _, line in entries]
    header = [f"{len(entries)} lines from {len(streams)} streams"]
    return header, [f"{rfc3339(ns)} {labels} {line}" for ns, _, labels, line in entries]


def fit_tail(header: Sequence[str], lines: Sequence[str], budget: int) -> str:
    """The header and as many of the LAST lines as fit in `budget` characters, with a note when cut. A single
    line longer than the whole budget is cut short rather than dropped."""
    whole = "\n".join([*header, *lines])
    if len(whole) <= budget:
        return whole
    used = sum(len(h) + 1 for h in header)
    room = max(budget - _NOTE_ROOM - used, 0)
    kept: list[str] = []
    cut = False
    for line in reversed(lines):
        if len(line) + 1 > room:
            if not kept and room > 20:
                kept.append(line[: room - 16] + " [line cut]")
                cut = True
            break
        kept.append(line)
        room -= len(line) + 1
    kept.reverse()
    omitted = len(lines) - len(kept)
    if not omitted and not cut:
        return "\n".join([*header, *kept])
    what = f"{omitted} earlier of {len(lines)} lines omitted" if omitted else "the last line cut short"
    note = f"[truncated: {what}; output budget {budget:,} characters]"
    return "\n".join([*header, note, *kept])


def literal(text: str) -> str:
    """A regular expression matching `text` as it is (RE2 rejects some escapes Python's re.escape makes)."""
    return _REGEX_SPECIALS.sub(r"\\\1", text)


def logql_string(value: str) -> str:
    """A LogQL string: raw (backquoted) when it can be, so a regular expression needs no second escaping."""
    return f"`{value}`" if "`" not in value else json.dumps(value)


def _case_insensitive(pattern: str, as_regex: bool) -> str:
    return "(?i)" + (pattern if as_regex and regex_or_none(pattern) is not None else literal(pattern))


def pod_logql(query: PodLogQuery, labels: tuple[str, str], as_regex: bool = True) -> str:
    """`{namespace="shop", pod="web-1"} |~ `(?i)error` !~ `(?i)health``: the pod's streams (a `*` in the name is a
    wildcard, as HolmesGPT's Loki toolset allows) and the filters, case-insensitive, as regular expressions where
    they are valid ones and literal text otherwise."""
    namespace_label, pod_label = labels
    if "*" in query.pod_name:
        pod = f"{pod_label}=~{json.dumps('.*'.join(literal(part) for part in query.pod_name.split('*')))}"
    else:
        pod = f"{pod_label}={json.dumps(query.pod_name)}"
    text = f"{{{namespace_label}={json.dumps(query.namespace)}, {pod}}}"
    if query.filter:
        text += f" |~ {logql_string(_case_insensitive(query.filter, as_regex))}"
    if query.exclude_filter:
        text += f" !~ {logql_string(_case_insensitive(query.exclude_filter, as_regex))}"
    return text


def _nanoseconds(when: datetime) -> int:
    return int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1000


def stream_lines(result: Sequence[Mapping[str, Any]], pod_label: str, container_label: str) -> list[LogLine]:
    lines: list[LogLine] = []
    for stream in result:
        labels = stream.get("stream") or {}
        for value in stream.get("values") or []:
            if len(value) < 2:
                continue
            try:
                when: datetime | None = datetime.fromtimestamp(int(value[0]) / 1e9, UTC)
            except (TypeError, ValueError, OverflowError):
                when = None
            text = str(value[1]).rstrip("\n")
            pod, container = labels.get(pod_label), labels.get(container_label)
            lines.append(LogLine(when, text, container=container, pod=pod, order=len(lines)))
    return lines


class LokiToolRunner:
    def __init__(
        self,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT,
        budget: int = DEFAULT_BUDGET,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        labels: tuple[str, str, str] = ("namespace", "pod", "container"),
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.budget = budget
        self.headers = dict(headers or {})  # e.g. {"X-Scope-OrgID": tenant} for a multi-tenant Loki
        self._clock = clock
        # The labels naming a pod's namespace, pod and container (promtail's and Grafana Alloy's defaults).
        self.namespace_label, self.pod_label, self.container_label = labels

    def available_tools(self) -> frozenset[str]:
        return LOKI_TOOLS

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        params = dict(params)
        if tool not in LOKI_TOOLS:
            return ToolResult(tool, params, "error", error=f"tool {tool} is not available")
        if tool == "fetch_pod_logs":
            return self._pod_logs(params)
        query = str(params.get("query") or "").strip()
        if not query:
            return ToolResult(tool, params, "error", error="missing required parameter: query")
        # backward: Loki picks the newest `limit` entries; they are put oldest-first for reading.
        request: dict[str, Any] = {"query": query, "limit": _limit(params.get("limit")), "direction": "backward"}
        for key in ("start", "end"):
            if params.get(key) not in (None, ""):
                request[key] = params[key]
        try:
            body = get_api_json(
                api_url(self.base_url, "/loki/api/v1/query_range"),
                request,
                headers=self.headers,
                timeout=self.timeout,
            )
            data = body["data"]
            notes = warnings_of(body)
            if data.get("resultType") == "streams":
                header, lines = render_streams(data.get("result") or [])
                if not lines:
                    return ToolResult(tool, params, "no_data", text="\n".join([f"no log lines for {query}", *notes]))
                return ToolResult(tool, params, "success", text=fit_tail([*header, *notes], lines, self.budget))
            kind, lines = render_result(data)  # a metric query (rate, count_over_time, ...) answers series
        except QueryFailure as failure:
            return ToolResult(tool, params, failure.status, error=failure.message)
        except Exception as exc:  # a malformed answer must not end the investigation
            return ToolResult(tool, params, "error", error=f"{type(exc).__name__}: {exc}")
        if not lines:
            return ToolResult(tool, params, "no_data", text="\n".join([f"no series for {query}", *notes]))
        header = [f"{len(lines)} series ({kind})", *notes]
        return ToolResult(tool, params, "success", text=fit_head(header, lines, self.budget, "series"))

    def _pod_logs(self, params: dict[str, Any]) -> ToolResult:
        tool, now = "fetch_pod_logs", self._clock()
        try:
            query = parse_pod_log_params(params, now)
        except LogParamError as error:
            return ToolResult(tool, params, "error", error=error.message)
        start, end = query.window(now)
        labels = (self.namespace_label, self.pod_label)
        try:
            try:
                result = self._streams(pod_logql(query, labels), query.limit, start, end)
            except QueryFailure as failure:
                # A filter valid in Python may not be in Loki's RE2 (a lookahead): then it is plain text, as
                # HolmesGPT reads a filter that is no regular expression.
                if failure.status != "error" or not query.lines.active:
                    raise
                result = self._streams(pod_logql(query, labels, as_regex=False), query.limit, start, end)
        except QueryFailure as failure:
            return ToolResult(tool, params, failure.status, error=failure.message)
        except Exception as exc:  # a malformed answer must not end the investigation
            return ToolResult(tool, params, "error", error=f"{type(exc).__name__}: {exc}")
        read = stream_lines(result, self.pod_label, self.container_label)
        shown, matched, _ = select(read, query)
        if not shown:
            return ToolResult(tool, params, "no_data", text=no_logs_message(query, 0, window=(start, end)))
        lines = render_lines(shown, with_time=True, read=read)
        note = limit_note(query, len(shown), matched)
        if note is None and len(read) >= query.limit:
            note = f"[limit {query.limit:,} reached: Loki holds earlier matching lines too]"
        return ToolResult(tool, params, "success", text=fit_tail([], [*lines, *([note] if note else [])], self.budget))

    def _streams(self, logql: str, limit: int, start: datetime, end: datetime) -> list[Any]:
        # backward: Loki picks the newest `limit` entries; they are put oldest-first for reading.
        request = {
            "query": logql,
            "limit": limit,
            "direction": "backward",
            "start": _nanoseconds(start),
            "end": _nanoseconds(end),
        }
        url = api_url(self.base_url, "/loki/api/v1/query_range")
        body = get_api_json(url, request, headers=self.headers, timeout=self.timeout)
        return list(body["data"].get("result") or [])

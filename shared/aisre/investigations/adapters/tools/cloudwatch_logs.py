"""A ToolRunner over CloudWatch Logs: Logs Insights queries over log groups (`cloudwatch_logs_insights_query`), and,
where log groups are configured, HolmesGPT's `fetch_pod_logs` read from them (cloudwatch_pod_logs); rendered as
timestamped lines, newest last.

Read-only by construction: StartQuery, GetQueryResults and StopQuery (StopQuery ends a query of ours that ran past the
runner's timeout), DescribeLogStreams and FilterLogEvents only. boto3 is imported, and the client made, on first use.
Status rules as for Loki: an AWS error (a missing log group, access denied, a malformed query) is "error", an
unreachable endpoint "unavailable", no rows "no_data"; `run` never raises. When the output exceeds the budget, the END
is kept: the latest lines matter most.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from aisre.investigations.adapters.tools.cloudwatch_pod_logs import read_pod_logs
from aisre.investigations.adapters.tools.log_params import (
    LogParamError,
    limit_note,
    no_logs_message,
    parse_pod_log_params,
    render_lines,
    select,
)
from aisre.investigations.adapters.tools.loki import fit_tail
from aisre.investigations.adapters.tools.prometheus import DEFAULT_BUDGET, parse_time
from aisre.investigations.model.evidence import ToolResult

DEFAULT_LIMIT = 200
MAX_LIMIT = 10_000  # the most rows Logs Insights returns for one query
DEFAULT_RANGE_SECONDS = 3600
DEFAULT_QUERY_TIMEOUT = 30.0
DEFAULT_POLL_INTERVAL = 0.5

CLOUDWATCH_LOGS_TOOLS = frozenset({"cloudwatch_logs_insights_query"})
POD_LOGS_TOOL = "fetch_pod_logs"  # served when log groups are configured: it names none itself

_DONE_STATES = frozenset({"Complete", "Failed", "Cancelled", "Timeout"})
_HIDDEN_FIELDS = frozenset({"@ptr"})  # an opaque record pointer, no use to a reader
# botocore's connection failures (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ...) all derive
# from one of these, matched by name so botocore is not imported here.
_UNAVAILABLE_ERRORS = frozenset({"ConnectionError", "HTTPClientError", "ConnectTimeoutError", "ReadTimeoutError"})


class _Failure(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def log_group_names(raw: Any) -> list[str]:
    """Log group names from a list or a comma-separated string, in order, without blanks or repeats."""
    items: Sequence[Any] = raw if isinstance(raw, list | tuple) else str(raw or "").split(",")
    names: list[str] = []
    for item in items:
        name = str(item or "").strip()
        if name and name not in names:
            names.append(name)
    return names


def _limit(raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT
    return min(max(value, 1), MAX_LIMIT)


def format_timestamp(raw: str) -> str:
    """RFC 3339 from what Logs Insights answers for @timestamp: "2024-05-01 12:00:00.000" (AWS) or epoch
    milliseconds (some emulators); anything else unchanged."""
    text = raw.strip()
    if text.isdigit():
        seconds, millis = divmod(int(text), 1000)
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"
    if len(text) >= 19 and text[10] == " " and text[:4].isdigit():
        return text.replace(" ", "T", 1) + ("" if text.endswith("Z") else "Z")
    return text


def render_rows(rows: Sequence[Sequence[Mapping[str, Any]]]) -> list[str]:
    """One line per row: @timestamp and @message first when present, other fields as key=value; oldest first
    when every row has a timestamp (a query sorted newest first is turned around), otherwise as answered."""
    rendered: list[tuple[str, str]] = []
    for row in rows:
        fields = {str(f.get("field")): str(f.get("value", "")) for f in row if f.get("field")}
        stamp = format_timestamp(fields.pop("@timestamp")) if "@timestamp" in fields else ""
        message = fields.pop("@message", "").rstrip("\n")
        others = [f"{key}={value}" for key, value in fields.items() if key not in _HIDDEN_FIELDS]
        line = " ".join(part for part in (stamp, message, *others) if part)
        rendered.append((stamp, line))
    if rendered and all(stamp for stamp, _ in rendered):
        rendered.sort(key=lambda entry: entry[0])  # stable: rows with equal timestamps keep their order
    return [line for _, line in rendered]


def _statistics_note(body: Mapping[str, Any]) -> list[str]:
    stats = body.get("statistics") or {}
    matched, scanned = stats.get("recordsMatched"), stats.get("recordsScanned")
    if matched is None and scanned is None:
        return []
    return [f"records matched {int(matched or 0):,}, scanned {int(scanned or 0):,}"]


class CloudWatchLogsToolRunner:
    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        budget: int = DEFAULT_BUDGET,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        timeout: float = DEFAULT_QUERY_TIMEOUT,
        client: Any = None,
        default_log_groups: Sequence[str] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.budget = budget
        self.poll_interval = poll_interval
        self.timeout = timeout
        self._client = client
        self.default_log_groups = log_group_names(list(default_log_groups))  # used when a call names none
        self._clock = clock

    def available_tools(self) -> frozenset[str]:
        return CLOUDWATCH_LOGS_TOOLS | ({POD_LOGS_TOOL} if self.default_log_groups else frozenset())

    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=min(self.timeout, 10.0),
                read_timeout=min(self.timeout, 30.0),
                retries={"max_attempts": 2, "mode": "standard"},
            )
            self._client = boto3.client("logs", region_name=self.region, endpoint_url=self.endpoint_url, config=config)
        return self._client

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        params = dict(params)
        if tool not in self.available_tools():
            return ToolResult(tool, params, "error", error=f"tool {tool} is not available")
        if tool == POD_LOGS_TOOL:
            return self._pod_logs(params)
        query = str(params.get("query") or "").strip()
        if not query:
            return ToolResult(tool, params, "error", error="missing required parameter: query")
        groups = log_group_names(params.get("log_group_names")) or self.default_log_groups
        if not groups:
            return ToolResult(tool, params, "error", error="missing required parameter: log_group_names")
        end = parse_time(params.get("end")) if params.get("end") not in (None, "") else time.time()
        start = parse_time(params.get("start")) if params.get("start") not in (None, "") else None
        if end is None:
            return ToolResult(tool, params, "error", error=f"unreadable end time: {params.get('end')}")
        if start is None:
            if params.get("start") not in (None, ""):
                return ToolResult(tool, params, "error", error=f"unreadable start time: {params.get('start')}")
            start = end - DEFAULT_RANGE_SECONDS
        if start > end:
            return ToolResult(tool, params, "error", error="start time is after end time")
        try:
            body = self._query(groups, query, int(start), int(end), _limit(params.get("limit")))
            lines = render_rows(body.get("results") or [])
        except _Failure as failure:
            return ToolResult(tool, params, failure.status, error=failure.message)
        except Exception as exc:
            status, message = self._classify(exc, groups)
            return ToolResult(tool, params, status, error=message)
        notes = _statistics_note(body)
        where = ", ".join(groups)
        if not lines:
            return ToolResult(tool, params, "no_data", text="\n".join([f"no log rows in {where} for {query}", *notes]))
        header = [f"{len(lines)} rows from {where}", *notes]
        return ToolResult(tool, params, "success", text=fit_tail(header, lines, self.budget))

    def _pod_logs(self, params: dict[str, Any]) -> ToolResult:
        tool, now, groups = POD_LOGS_TOOL, self._clock(), self.default_log_groups
        try:
            query = parse_pod_log_params(params, now)
        except LogParamError as error:
            return ToolResult(tool, params, "error", error=error.message)
        start, end = query.window(now)
        try:
            reading = read_pod_logs(self.client(), groups, query, start, end)
        except Exception as exc:
            status, message = self._classify(exc, groups)
            return ToolResult(tool, params, status, error=message)
        if len(reading.missing_groups) == len(groups):
            return ToolResult(tool, params, "error", error=f"log group not found: {', '.join(groups)}")
        notes = [*reading.notes]
        if reading.missing_groups:
            notes.append(f"[log group not found: {', '.join(reading.missing_groups)}]")
        shown, matched, read = select(reading.lines, query)
        if not shown:
            text = no_logs_message(query, read, window=(start, end))
            return ToolResult(tool, params, "no_data", text="\n".join([text, *notes]))
        lines = render_lines(shown, with_time=True, read=reading.lines)
        note = limit_note(query, len(shown), matched)
        return ToolResult(
            tool, params, "success", text=fit_tail([], [*lines, *([note] if note else []), *notes], self.budget)
        )

    def _query(self, groups: list[str], query: str, start: int, end: int, limit: int) -> dict[str, Any]:
        client = self.client()
        deadline = time.monotonic() + self.timeout
        started = client.start_query(logGroupNames=groups, startTime=start, endTime=end, queryString=query, limit=limit)
        query_id = started["queryId"]
        while True:
            body: dict[str, Any] = client.get_query_results(queryId=query_id)
            status = str(body.get("status") or "")
            if status == "Complete":
                return body
            if status in _DONE_STATES:
                raise _Failure("error", f"query {status.lower()} in CloudWatch Logs Insights: {query}")
            if time.monotonic() + self.poll_interval > deadline:
                # The query may have finished meanwhile; the timeout is the answer either way.
                with contextlib.suppress(Exception):
                    client.stop_query(queryId=query_id)
                raise _Failure("error", f"query timed out after {self.timeout:g}s (stopped): {query}")
            time.sleep(self.poll_interval)

    @staticmethod
    def _classify(exc: Exception, groups: list[str]) -> tuple[str, str]:
        name = type(exc).__name__
        response = getattr(exc, "response", None)
        if isinstance(response, Mapping):
            error = response.get("Error") or {}
            code = str(error.get("Code") or name)
            message = str(error.get("Message") or exc)
            if code == "ResourceNotFoundException":
                return "error", f"log group not found (queried {', '.join(groups)}): {message}"
            return "error", f"{code}: {message}"
        if any(cls.__name__ in _UNAVAILABLE_ERRORS for cls in type(exc).__mro__) or isinstance(exc, TimeoutError):
            return "unavailable", f"CloudWatch Logs unreachable: {exc}"
        return "error", f"{name}: {exc}"

"""A ToolRunner over Loki's HTTP API: LogQL log queries, rendered as timestamped lines, newest last.

Read-only by construction: GET /loki/api/v1/query_range only. Status rules as for Prometheus: a Loki error
(JSON or plain text) is "error", an unreachable server "unavailable", no lines "no_data"; `run` never raises.
When the output exceeds the budget, the END is kept: the latest lines matter most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

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

LOKI_TOOLS = frozenset({"loki_query_logs"})


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


class LokiToolRunner:
    def __init__(
        self,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT,
        budget: int = DEFAULT_BUDGET,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.budget = budget
        self.headers = dict(headers or {})  # e.g. {"X-Scope-OrgID": tenant} for a multi-tenant Loki

    def available_tools(self) -> frozenset[str]:
        return LOKI_TOOLS

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        params = dict(params)
        if tool not in LOKI_TOOLS:
            return ToolResult(tool, params, "error", error=f"tool {tool} is not available")
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

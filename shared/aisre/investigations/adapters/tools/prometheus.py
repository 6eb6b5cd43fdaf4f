"""A ToolRunner over Prometheus's HTTP API: instant and range PromQL queries, rendered as compact text.

Read-only by construction: GET /api/v1/query and GET /api/v1/query_range, nothing else. Failures are results:
a Prometheus error ({"status": "error", "errorType", "error"}) is "error" with its message, an unreachable
server (or a proxy's 5xx page) is "unavailable", an empty result is "no_data"; `run` never raises.
The GET helper and the series renderers are shared with the Loki runner (metric LogQL answers in this shape).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from aisre.investigations.model.evidence import ToolResult

DEFAULT_BUDGET = 20_000
DEFAULT_TIMEOUT = 10.0
# A range query without a step gets one giving about this many points.
DEFAULT_RANGE_POINTS = 250
DEFAULT_RANGE_SECONDS = 3600.0
# Room kept for the truncation note.
_NOTE_ROOM = 120

PROMETHEUS_TOOLS = frozenset({"prometheus_query_instant", "prometheus_query_range"})


class QueryFailure(Exception):
    """A query that produced no data to render: `status` is the ToolResult status, the message its error."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def api_url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def get_api_json(url: str, params: Mapping[str, Any], *, headers: Mapping[str, str], timeout: float) -> dict[str, Any]:
    """GET a Prometheus-style JSON API (Loki's too) and return its body when it says "success"."""
    try:
        response = httpx.get(url, params=dict(params), headers=dict(headers), timeout=timeout)
    except httpx.TimeoutException as exc:
        raise QueryFailure("unavailable", f"{url} did not answer within {timeout:g} s") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise QueryFailure("unavailable", f"cannot reach {url}: {exc or type(exc).__name__}") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("status") == "error":
        kind, message = body.get("errorType"), body.get("error") or "unknown error"
        raise QueryFailure("error", f"{kind}: {message}" if kind else str(message))
    if response.status_code >= 400 or not isinstance(body, dict):
        detail = response.text.strip()[:500] or response.reason_phrase
        status = "unavailable" if response.status_code >= 500 else "error"
        raise QueryFailure(status, f"HTTP {response.status_code} from {url}: {detail}")
    if not isinstance(body.get("data"), dict):
        raise QueryFailure("error", f"unexpected answer from {url}: no data object")
    return body


def format_labels(metric: Mapping[str, Any]) -> str:
    """`name{a="b", c="d"}`: the metric name (when there is one) in front, the other labels sorted."""
    name = str(metric.get("__name__") or "")
    inner = ", ".join(
        f"{key}={json.dumps(str(value), ensure_ascii=False)}"
        for key, value in sorted(metric.items())
        if key != "__name__"
    )
    return f"{name}{{{inner}}}"


def format_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _float(raw: Any) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan


def _sample_text(sample: Mapping[str, Any]) -> str:
    if "histogram" in sample:
        histogram = sample["histogram"][1] if len(sample["histogram"]) > 1 else {}
        count, total = _float(histogram.get("count")), _float(histogram.get("sum"))
        return f"histogram count={format_number(count)} sum={format_number(total)}"
    value = sample.get("value") or [None, None]
    return format_number(_float(value[1] if len(value) > 1 else None))


def render_vector(result: Sequence[Mapping[str, Any]]) -> list[str]:
    return [f"{format_labels(s.get('metric') or {})} {_sample_text(s)}" for s in result]


def render_matrix(result: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per series: min, max and last value and how many points there were."""
    lines = []
    for series in result:
        values = [_float(v[1]) for v in series.get("values") or [] if len(v) > 1]
        points = len(values) + len(series.get("histograms") or [])
        finite = [v for v in values if not math.isnan(v)]
        if finite:
            stats = (
                f"min={format_number(min(finite))} max={format_number(max(finite))} last={format_number(values[-1])}"
            )
        elif values:
            stats = "min=NaN max=NaN last=NaN"
        else:
            stats = "histograms"
        lines.append(f"{format_labels(series.get('metric') or {})} {stats} points={points}")
    return lines


def render_result(data: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(result type, one line per series) for a vector, matrix, scalar or string answer."""
    kind = str(data.get("resultType") or "")
    result = data.get("result")
    if kind == "vector":
        return kind, render_vector(result or [])
    if kind == "matrix":
        return kind, render_matrix(result or [])
    if kind in ("scalar", "string") and isinstance(result, list) and len(result) > 1:
        shown = format_number(_float(result[1])) if kind == "scalar" else str(result[1])
        return kind, [f"{kind} {shown}"]
    return kind, []


def fit_head(header: Sequence[str], lines: Sequence[str], budget: int, what: str) -> str:
    """The header and as many of the first lines as fit in `budget` characters, with a note when cut."""
    whole = "\n".join([*header, *lines])
    if len(whole) <= budget:
        return whole
    out, used = list(header), sum(len(h) + 1 for h in header)
    room = max(budget - _NOTE_ROOM, 0)
    for shown, line in enumerate(lines):
        if used + len(line) + 1 > room:
            out.append(f"[truncated: {shown} of {len(lines)} {what} shown; output budget {budget:,} characters]")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def warnings_of(body: Mapping[str, Any]) -> list[str]:
    return [f"warning: {w}" for w in body.get("warnings") or [] if w]


def parse_time(raw: Any) -> float | None:
    """Unix seconds from a number, a numeric string, an RFC 3339 string or "now"; None when unreadable."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip()
    if text == "now":
        return time.time()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class PrometheusToolRunner:
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
        self.headers = dict(headers or {})
        self._tools: dict[str, Callable[[Mapping[str, Any]], tuple[str, dict[str, Any]]]] = {
            "prometheus_query_instant": self._instant_request,
            "prometheus_query_range": self._range_request,
        }

    def available_tools(self) -> frozenset[str]:
        return PROMETHEUS_TOOLS

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        params = dict(params)
        build = self._tools.get(tool)
        if build is None:
            return ToolResult(tool, params, "error", error=f"tool {tool} is not available")
        query = str(params.get("query") or "").strip()
        if not query:
            return ToolResult(tool, params, "error", error="missing required parameter: query")
        try:
            path, query_params = build(params)
            body = get_api_json(
                api_url(self.base_url, path),
                {"query": query, **query_params},
                headers=self.headers,
                timeout=self.timeout,
            )
            kind, lines = render_result(body["data"])
        except QueryFailure as failure:
            return ToolResult(tool, params, failure.status, error=failure.message)
        except Exception as exc:  # a malformed answer must not end the investigation
            return ToolResult(tool, params, "error", error=f"{type(exc).__name__}: {exc}")
        notes = warnings_of(body)
        if not lines:
            return ToolResult(tool, params, "no_data", text="\n".join([f"no series for {query}", *notes]))
        header = [f"{len(lines)} series ({kind})", *notes]
        return ToolResult(tool, params, "success", text=fit_head(header, lines, self.budget, "series"))

    @staticmethod
    def _instant_request(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        extra = {"time": params["time"]} if params.get("time") not in (None, "") else {}
        return "/api/v1/query", extra

    @staticmethod
    def _range_request(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """start, end and step as given; a missing end is now, a missing start an hour before the end, and a
        missing step gives about DEFAULT_RANGE_POINTS points."""
        end_raw, start_raw, step = params.get("end"), params.get("start"), params.get("step")
        end = parse_time(end_raw) if end_raw not in (None, "") else time.time()
        start = parse_time(start_raw) if start_raw not in (None, "") else None
        if start is None and start_raw in (None, "") and end is not None:
            start = end - DEFAULT_RANGE_SECONDS
        if step in (None, ""):
            if start is not None and end is not None and end > start:
                step = max(1, math.ceil((end - start) / DEFAULT_RANGE_POINTS))
            else:
                step = 60
        return "/api/v1/query_range", {
            "start": start_raw if start_raw not in (None, "") else start,
            "end": end_raw if end_raw not in (None, "") else end,
            "step": step,
        }

"""PrometheusToolRunner, LokiToolRunner and CompositeToolRunner over real HTTP, against scripted Prometheus and
Loki servers on loopback answering the documented response shapes (vector, matrix, streams, errors)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from aisre.investigations.adapters.tools.composite import CompositeToolRunner
from aisre.investigations.adapters.tools.loki import LokiToolRunner
from aisre.investigations.adapters.tools.no_cluster import KUBERNETES_TOOLS, NoClusterToolRunner
from aisre.investigations.adapters.tools.prometheus import PrometheusToolRunner
from aisre.investigations.model.evidence import ToolResult
from tests.support.servers import free_port, serve_app

T0 = 1714564800  # 2024-05-01T12:00:00Z
NS0 = T0 * 1_000_000_000


def ok(result_type: str, result: Any, **extra: Any) -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": result_type, "result": result}, **extra}


VECTOR = ok(
    "vector",
    [
        {"metric": {"__name__": "up", "job": "api", "instance": "10.0.0.1:9090"}, "value": [T0, "1"]},
        {"metric": {"__name__": "up", "job": "db", "instance": "10.0.0.2:9090"}, "value": [T0, "0"]},
    ],
)
MATRIX = ok(
    "matrix",
    [
        {
            "metric": {"pod": "checkout-1"},
            "values": [[T0, "0.5"], [T0 + 60, "2.25"], [T0 + 120, "1.125"]],
        },
        {"metric": {"pod": "checkout-2"}, "values": [[T0, "7"], [T0 + 60, "NaN"]]},
    ],
)
PROM_ERROR = {"status": "error", "errorType": "bad_data", "error": "parse error at char 4: unclosed left parenthesis"}


def stream(labels: dict[str, str], entries: list[tuple[int, str]]) -> dict[str, Any]:
    return {"stream": labels, "values": [[str(NS0 + offset * 1_000_000_000), line] for offset, line in entries]}


LOKI_STREAMS = ok(
    "streams",
    [
        stream({"app": "checkout", "pod": "checkout-1"}, [(30, "payment failed: timeout"), (10, "starting")]),
        stream({"app": "checkout", "pod": "checkout-2"}, [(20, "connected to db")]),
    ],
)
LOKI_ONE_STREAM = ok("streams", [stream({"app": "cart"}, [(i, f"line {i:03d}") for i in range(300, 0, -1)])])


def prometheus_answer(query: str) -> Response:
    if query == "broken(":
        return JSONResponse(PROM_ERROR, status_code=400)
    if query == "absent_metric":
        return JSONResponse(ok("vector", []))
    if query == "gateway":
        return PlainTextResponse("bad gateway", status_code=502)
    if query == "scalar(1)":
        return JSONResponse(ok("scalar", [T0, "1"]))
    if query == "many":
        series = [{"metric": {"pod": f"pod-{i:03d}"}, "value": [T0, str(i)]} for i in range(500)]
        return JSONResponse(ok("vector", series))
    return JSONResponse(VECTOR)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    app = FastAPI()

    def record(request: Request) -> dict[str, str]:
        params = dict(request.query_params)
        seen.append({"method": request.method, "path": request.url.path, "params": params, **request.headers})
        return params

    @app.get("/api/v1/query")
    def query(request: Request) -> Response:
        return prometheus_answer(record(request)["query"])

    @app.get("/api/v1/query_range")
    def query_range(request: Request) -> Response:
        params = record(request)
        if params["query"] == "absent_metric":
            return JSONResponse(ok("matrix", []))
        return JSONResponse(MATRIX)

    @app.get("/loki/api/v1/query_range")
    def loki(request: Request) -> Response:
        query = record(request)["query"]
        if query == '{app="cart"}':
            return JSONResponse(LOKI_ONE_STREAM)
        if query == '{app="none"}':
            return JSONResponse(ok("streams", [{"stream": {"app": "none"}, "values": []}]))
        if query == "{app=":
            return PlainTextResponse("parse error at line 1, col 6: syntax error: unexpected $end", status_code=400)
        if query.startswith("rate("):
            return JSONResponse(
                ok("matrix", [{"metric": {"app": "checkout"}, "values": [[T0, "0.2"], [T0 + 60, "0.4"]]}])
            )
        return JSONResponse(LOKI_STREAMS)

    with serve_app(app) as url:
        yield url, seen


def last_request(seen: list[dict[str, Any]]) -> dict[str, Any]:
    return seen[-1]


def run(runner: Any, tool: str, **params: Any) -> ToolResult:
    return runner.run(tool, params)


# --- Prometheus ------------------------------------------------------------------------------------------------


def test_instant_vector_renders_one_line_per_series(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    runner = PrometheusToolRunner(url, headers={"Authorization": "Bearer t0k"})
    result = run(runner, "prometheus_query_instant", query="up", time=str(T0))
    assert result.status == "success", result
    assert result.text.splitlines() == [
        "2 series (vector)",
        'up{instance="10.0.0.1:9090", job="api"} 1',
        'up{instance="10.0.0.2:9090", job="db"} 0',
    ]
    request = last_request(seen)
    assert request["method"] == "GET"
    assert request["path"] == "/api/v1/query"
    assert request["params"] == {"query": "up", "time": str(T0)}
    assert request["authorization"] == "Bearer t0k"
    assert result.params == {"query": "up", "time": str(T0)}


def test_instant_scalar(server: tuple[str, list[dict[str, Any]]]) -> None:
    result = run(PrometheusToolRunner(server[0]), "prometheus_query_instant", query="scalar(1)")
    assert result.status == "success"
    assert result.text.splitlines()[-1] == "scalar 1"


def test_range_renders_min_max_last_and_points(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    params = {"query": "rate(errors[5m])", "start": str(T0), "end": str(T0 + 120), "step": "60"}
    result = PrometheusToolRunner(url).run("prometheus_query_range", params)
    assert result.status == "success", result
    assert result.text.splitlines() == [
        "2 series (matrix)",
        '{pod="checkout-1"} min=0.5 max=2.25 last=1.125 points=3',
        '{pod="checkout-2"} min=7 max=7 last=NaN points=2',
    ]
    assert last_request(seen)["path"] == "/api/v1/query_range"
    assert last_request(seen)["params"] == params


def test_range_defaults_its_window_and_step(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    result = run(PrometheusToolRunner(url), "prometheus_query_range", query="up", end=str(T0))
    assert result.status == "success"
    sent = last_request(seen)["params"]
    assert float(sent["start"]) == T0 - 3600
    assert sent["end"] == str(T0)
    assert sent["step"] == "15"  # an hour in about 250 points


def test_prometheus_error_is_an_error_with_its_message(server: tuple[str, list[dict[str, Any]]]) -> None:
    result = run(PrometheusToolRunner(server[0]), "prometheus_query_instant", query="broken(")
    assert result.status == "error"
    assert result.error == "bad_data: parse error at char 4: unclosed left parenthesis"
    assert result.text == ""


def test_proxy_5xx_page_is_unavailable(server: tuple[str, list[dict[str, Any]]]) -> None:
    result = run(PrometheusToolRunner(server[0]), "prometheus_query_instant", query="gateway")
    assert result.status == "unavailable"
    assert "HTTP 502" in (result.error or "") and "bad gateway" in (result.error or "")


def test_empty_results_are_no_data(server: tuple[str, list[dict[str, Any]]]) -> None:
    runner = PrometheusToolRunner(server[0])
    instant = run(runner, "prometheus_query_instant", query="absent_metric")
    ranged = run(runner, "prometheus_query_range", query="absent_metric", start="0", end="60", step="15")
    assert (instant.status, ranged.status) == ("no_data", "no_data")
    assert "absent_metric" in instant.text


def test_many_series_are_truncated_to_the_budget_with_a_note(server: tuple[str, list[dict[str, Any]]]) -> None:
    result = run(PrometheusToolRunner(server[0], budget=1000), "prometheus_query_instant", query="many")
    assert result.status == "success"
    assert len(result.text) <= 1000
    lines = result.text.splitlines()
    assert lines[0] == "500 series (vector)"
    assert lines[1] == '{pod="pod-000"} 0'  # the first series are kept
    assert lines[-1].startswith("[truncated: ") and "of 500 series shown" in lines[-1]


def test_missing_query_is_an_error_without_a_request(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    before = len(seen)
    result = run(PrometheusToolRunner(url), "prometheus_query_instant", query=" ")
    assert result.status == "error" and "query" in (result.error or "")
    assert len(seen) == before


def test_unreachable_servers_are_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    prometheus = run(PrometheusToolRunner(url, timeout=2), "prometheus_query_instant", query="up")
    loki = run(LokiToolRunner(url, timeout=2), "loki_query_logs", query='{app="x"}')
    assert (prometheus.status, loki.status) == ("unavailable", "unavailable")
    assert "cannot reach" in (prometheus.error or "")


def test_a_bad_base_url_is_a_result_not_an_exception() -> None:
    result = run(PrometheusToolRunner("not a url at all"), "prometheus_query_instant", query="up")
    assert result.status in ("unavailable", "error")
    assert result.error


# --- Loki ------------------------------------------------------------------------------------------------------


def test_loki_lines_merge_streams_oldest_first_with_timestamps_and_labels(
    server: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = server
    runner = LokiToolRunner(url, headers={"X-Scope-OrgID": "tenant-a"})
    result = run(runner, "loki_query_logs", query='{app="checkout"}', start=str(NS0), end=str(NS0 + 60 * 10**9))
    assert result.status == "success", result
    assert result.text.splitlines() == [
        "3 lines from 2 streams",
        '2024-05-01T12:00:10.000Z {app="checkout", pod="checkout-1"} starting',
        '2024-05-01T12:00:20.000Z {app="checkout", pod="checkout-2"} connected to db',
        '2024-05-01T12:00:30.000Z {app="checkout", pod="checkout-1"} payment failed: timeout',
    ]
    request = last_request(seen)
    assert (request["method"], request["path"]) == ("GET", "/loki/api/v1/query_range")
    assert request["params"] == {
        "query": '{app="checkout"}',
        "limit": "200",
        "direction": "backward",
        "start": str(NS0),
        "end": str(NS0 + 60 * 10**9),
    }
    assert request["x-scope-orgid"] == "tenant-a"


def test_loki_truncation_keeps_the_latest_lines(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    result = run(LokiToolRunner(url, budget=2000), "loki_query_logs", query='{app="cart"}', limit=300)
    assert result.status == "success"
    assert len(result.text) <= 2000
    lines = result.text.splitlines()
    assert lines[0] == '300 lines from {app="cart"}'
    assert lines[1].startswith("[truncated: ") and "earlier of 300 lines omitted" in lines[1]
    assert lines[-1] == "2024-05-01T12:05:00.000Z line 300"  # the newest line is last, and kept
    assert lines[-2] == "2024-05-01T12:04:59.000Z line 299"
    assert "line 001" not in result.text
    assert last_request(seen)["params"]["limit"] == "300"


def test_loki_empty_streams_are_no_data(server: tuple[str, list[dict[str, Any]]]) -> None:
    result = run(LokiToolRunner(server[0]), "loki_query_logs", query='{app="none"}')
    assert result.status == "no_data"


def test_loki_plain_text_error_is_an_error(server: tuple[str, list[dict[str, Any]]]) -> None:
    result = run(LokiToolRunner(server[0]), "loki_query_logs", query="{app=")
    assert result.status == "error"
    assert "HTTP 400" in (result.error or "") and "syntax error" in (result.error or "")


def test_loki_metric_query_renders_series(server: tuple[str, list[dict[str, Any]]]) -> None:
    result = run(LokiToolRunner(server[0]), "loki_query_logs", query='rate({app="checkout"}[1m])')
    assert result.status == "success"
    assert result.text.splitlines()[-1] == '{app="checkout"} min=0.2 max=0.4 last=0.4 points=2'


# --- Composite -------------------------------------------------------------------------------------------------


class Raising:
    def available_tools(self) -> frozenset[str]:
        return frozenset({"explodes"})

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        raise RuntimeError("boom")


def test_composite_dispatches_by_tool_and_answers_unknown_tools(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, _ = server
    composite = CompositeToolRunner(NoClusterToolRunner(), PrometheusToolRunner(url), LokiToolRunner(url), Raising())
    assert composite.available_tools() == KUBERNETES_TOOLS | {
        "prometheus_query_instant",
        "prometheus_query_range",
        "loki_query_logs",
        "explodes",
    }
    assert run(composite, "prometheus_query_instant", query="up").status == "success"
    assert run(composite, "loki_query_logs", query='{app="checkout"}').text.startswith("3 lines")
    assert run(composite, "kubectl_describe", kind="pod", name="x").status == "unavailable"
    unknown = run(composite, "datadog_query", query="x")
    assert (unknown.status, unknown.error) == ("error", "tool datadog_query is not available")
    assert unknown.params == {"query": "x"}
    exploded = run(composite, "explodes")
    assert exploded.status == "error" and "boom" in (exploded.error or "")


def test_composite_prefers_the_first_runner_serving_a_tool(server: tuple[str, list[dict[str, Any]]]) -> None:
    dead = PrometheusToolRunner(f"http://127.0.0.1:{free_port()}", timeout=2)
    composite = CompositeToolRunner(dead, PrometheusToolRunner(server[0]))
    assert run(composite, "prometheus_query_instant", query="up").status == "unavailable"
    assert CompositeToolRunner().available_tools() == frozenset()
    assert run(CompositeToolRunner(), "anything").status == "error"

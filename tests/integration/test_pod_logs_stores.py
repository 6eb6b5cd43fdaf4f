"""fetch_pod_logs answered by the configured log store, over real HTTP: Loki (a small Loki on loopback evaluating
the LogQL it is sent) and CloudWatch Logs (real boto3 against moto in server mode); and the composition that puts a
configured store before the Kubernetes API, with get_current_time always there."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from aisre.core.scope import Scope
from aisre.core.settings import get_settings
from aisre.investigations.adapters.tools.cloudwatch_logs import CloudWatchLogsToolRunner
from aisre.investigations.adapters.tools.loki import LokiToolRunner
from aisre.investigations.model.evidence import ToolResult
from aisre.investigations.providers import tool_runner
from tests.support.fake_loki import Stream, serve_fake_loki
from tests.support.servers import free_port

TOOL = "fetch_pod_logs"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
NS = "shop"


def ns_at(when: datetime) -> int:
    return int(when.timestamp()) * 1_000_000_000


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def stream(pod: str, container: str, namespace: str, *entries: tuple[datetime, str]) -> Stream:
    labels = {"namespace": namespace, "pod": pod, "container": container, "job": f"{namespace}/{pod}"}
    return labels, [(ns_at(when), line) for when, line in entries]


STREAMS = [
    stream(
        "web-1",
        "app",
        NS,
        (ago(minutes=9), "INFO starting web 1.4.1"),
        (ago(minutes=7), "WARN slow query (2300ms) on orders"),
        (ago(minutes=6), "ERROR payment timeout order=17"),
        (ago(minutes=5), "INFO GET /health 200"),
    ),
    stream("web-1", "proxy", NS, (ago(minutes=8), "GET /api/orders 200"), (ago(minutes=4), "GET /api/orders 503")),
    stream("web-10", "app", NS, (ago(minutes=3), "ERROR another pod's error")),
    stream("web-1", "app", "staging", (ago(minutes=2), "ERROR staging, not shop")),
]


@pytest.fixture(scope="module")
def loki() -> Iterator[tuple[str, list[dict[str, str]]]]:
    with serve_fake_loki(STREAMS) as served:
        yield served


def loki_logs(url: str, **params: Any) -> ToolResult:
    runner = LokiToolRunner(url, clock=lambda: NOW)
    return runner.run(TOOL, {"pod_name": "web-1", "namespace": NS, **params})


# --- Loki ------------------------------------------------------------------------------------------------------


def test_loki_serves_the_pods_streams_oldest_first_with_their_time(loki: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = loki
    result = loki_logs(url)
    assert result.status == "success", result.error
    assert result.text.splitlines() == [
        "2024-05-01T11:51:00Z app: INFO starting web 1.4.1",
        "2024-05-01T11:52:00Z proxy: GET /api/orders 200",
        "2024-05-01T11:53:00Z app: WARN slow query (2300ms) on orders",
        "2024-05-01T11:54:00Z app: ERROR payment timeout order=17",
        "2024-05-01T11:55:00Z app: INFO GET /health 200",
        "2024-05-01T11:56:00Z proxy: GET /api/orders 503",
    ]
    # The pod's own streams, the newest 100 lines of the last seven days, as HolmesGPT's defaults say.
    assert seen[-1] == {
        "query": '{namespace="shop", pod="web-1"}',
        "limit": "100",
        "direction": "backward",
        "start": str(ns_at(NOW - timedelta(days=7))),
        "end": str(ns_at(NOW)),
    }


def test_loki_filters_are_case_insensitive_logql_regex_or_literal(loki: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = loki
    errors = loki_logs(url, filter="error|503", exclude_filter="payment")
    # Loki sends only what matched: lines of one container need no prefix.
    assert errors.text.splitlines() == ["2024-05-01T11:56:00Z GET /api/orders 503"]
    assert seen[-1]["query"] == '{namespace="shop", pod="web-1"} |~ `(?i)error|503` !~ `(?i)payment`'
    # Not a valid regex: its text, escaped for Loki.
    slow = loki_logs(url, filter="QUERY (2300")
    assert slow.text.splitlines() == ["2024-05-01T11:53:00Z WARN slow query (2300ms) on orders"]
    assert seen[-1]["query"] == '{namespace="shop", pod="web-1"} |~ `(?i)QUERY \\(2300`'
    # Valid in Python, refused by Loki's RE2 (a lookahead): asked again as plain text.
    before = len(seen)
    lookahead = loki_logs(url, filter="error(?= payment)")
    assert lookahead.status == "no_data", lookahead.error
    assert [q["query"] for q in seen[before:]] == [
        '{namespace="shop", pod="web-1"} |~ `(?i)error(?= payment)`',
        '{namespace="shop", pod="web-1"} |~ `(?i)error\\(\\?= payment\\)`',
    ]


def test_loki_limit_range_wildcard_and_nothing_found(loki: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = loki
    latest = loki_logs(url, limit=2)
    assert latest.text.splitlines() == [
        "2024-05-01T11:55:00Z app: INFO GET /health 200",
        "2024-05-01T11:56:00Z proxy: GET /api/orders 503",
        "[limit 2 reached: Loki holds earlier matching lines too]",
    ]
    assert seen[-1]["limit"] == "2"
    window = loki_logs(url, start_time="-120", end_time="2024-05-01T11:55:00Z")
    assert [line[:20] for line in window.text.splitlines()] == [
        "2024-05-01T11:53:00Z",
        "2024-05-01T11:54:00Z",
        "2024-05-01T11:55:00Z",
    ]
    assert (seen[-1]["start"], seen[-1]["end"]) == (str(ns_at(ago(minutes=7))), str(ns_at(ago(minutes=5))))
    pods = loki_logs(url, pod_name="web-*", filter="error")
    assert pods.text.splitlines() == [
        "2024-05-01T11:54:00Z web-1/app: ERROR payment timeout order=17",
        "2024-05-01T11:57:00Z web-10/app: ERROR another pod's error",
    ]
    assert seen[-1]["query"].startswith('{namespace="shop", pod=~"web-.*"}')
    nothing = loki_logs(url, filter="disk full")
    assert (nothing.status, nothing.text) == (
        "no_data",
        "No logs found for pod web-1 in namespace shop matching 'disk full' "
        "between 2024-04-24T12:00:00Z and 2024-05-01T12:00:00Z.",
    )


def test_loki_bad_parameters_and_unreachable_loki(loki: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = loki
    before = len(seen)
    assert "start_time" in (loki_logs(url, start_time="last week").error or "")
    assert "limit" in (loki_logs(url, limit="ten").error or "")
    assert "namespace" in (loki_logs(url, namespace=None).error or "")
    assert len(seen) == before
    dead = LokiToolRunner(f"http://127.0.0.1:{free_port()}", timeout=2).run(TOOL, {"pod_name": "a", "namespace": "b"})
    assert dead.status == "unavailable"


# --- CloudWatch Logs ---------------------------------------------------------------------------------------------

REGION = "us-east-1"
INSIGHTS = "/aws/containerinsights/prod/application"
PLAIN = "/eks/prod/plain"
HEX = "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def logs_client(endpoint: str) -> Any:
    return boto3.client(
        "logs", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


# moto keeps events of the last two weeks: the CloudWatch tests' now is the real one.
CW_NOW = datetime.fromtimestamp(int(time.time()) // 60 * 60, UTC)


def cw_ago(**delta: float) -> int:
    return int((CW_NOW - timedelta(**delta)).timestamp() * 1000)


def fluent_bit(pod: str, container: str, line: str) -> str:
    kubernetes = {"pod_name": pod, "namespace_name": NS, "container_name": container, "host": "ip-10-0-1-10"}
    return json.dumps({"log": line + "\n", "stream": "stdout", "kubernetes": kubernetes})


@pytest.fixture(scope="module")
def seeded(endpoint: str) -> None:
    client = logs_client(endpoint)
    client.create_log_group(logGroupName=INSIGHTS)
    streams = {
        ("web-1", "app"): [
            (cw_ago(minutes=9), "INFO starting web 1.4.1"),
            (cw_ago(minutes=7), "WARN slow query (2300ms) on orders"),
            (cw_ago(minutes=6), "ERROR payment timeout order=17"),
            (cw_ago(minutes=5), "INFO GET /health 200"),
        ],
        ("web-1", "proxy"): [(cw_ago(minutes=8), "GET /api/orders 200"), (cw_ago(minutes=4), "GET /api/orders 503")],
        ("web-10", "app"): [(cw_ago(minutes=3), "ERROR another pod's error")],
    }
    for (pod, container), events in streams.items():
        name = f"ip-10-0-1-10.application.var.log.containers.{pod}_{NS}_{container}-{HEX}.log"
        client.create_log_stream(logGroupName=INSIGHTS, logStreamName=name)
        client.put_log_events(
            logGroupName=INSIGHTS,
            logStreamName=name,
            logEvents=[{"timestamp": ts, "message": fluent_bit(pod, container, line)} for ts, line in events],
        )
    # A busy pod: a line a minute for three hours.
    name = f"ip-10-0-1-11.application.var.log.containers.busy-0_{NS}_app-{HEX}.log"
    client.create_log_stream(logGroupName=INSIGHTS, logStreamName=name)
    busy = [
        {"timestamp": cw_ago(minutes=m), "message": fluent_bit("busy-0", "app", f"tick {m:03d}")}
        for m in range(180, 0, -1)
    ]
    client.put_log_events(logGroupName=INSIGHTS, logStreamName=name, logEvents=busy)
    # Plain text in one stream for every pod: found by the pod's name in the line.
    client.create_log_group(logGroupName=PLAIN)
    client.create_log_stream(logGroupName=PLAIN, logStreamName="all-pods")
    plain = [
        (cw_ago(minutes=6), "web-1 ERROR payment timeout"),
        (cw_ago(minutes=5), "web-10 ERROR not this pod"),
        (cw_ago(minutes=4), "web-1 INFO recovered"),
    ]
    client.put_log_events(
        logGroupName=PLAIN, logStreamName="all-pods", logEvents=[{"timestamp": t, "message": m} for t, m in plain]
    )


class Recorded:
    """The FilterLogEvents requests a client sent, from botocore's own event hooks."""

    def __init__(self, client: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        client.meta.events.register("provide-client-params.logs.FilterLogEvents", self._record)

    def _record(self, params: dict[str, Any], **kwargs: Any) -> None:
        self.calls.append(dict(params))


def cloudwatch(endpoint: str, *groups: str) -> tuple[CloudWatchLogsToolRunner, Recorded]:
    client = logs_client(endpoint)
    recorded = Recorded(client)
    runner = CloudWatchLogsToolRunner(
        REGION, endpoint_url=endpoint, client=client, default_log_groups=list(groups), clock=lambda: CW_NOW
    )
    return runner, recorded


def minute(offset: int) -> str:
    return (CW_NOW - timedelta(minutes=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_cloudwatch_reads_the_pods_container_insights_streams(endpoint: str, seeded: None) -> None:
    runner, recorded = cloudwatch(endpoint, INSIGHTS)
    assert TOOL in runner.available_tools()
    result = runner.run(TOOL, {"pod_name": "web-1", "namespace": NS})
    assert result.status == "success", result.error
    assert result.text.splitlines() == [
        f"{minute(9)} app: INFO starting web 1.4.1",
        f"{minute(8)} proxy: GET /api/orders 200",
        f"{minute(7)} app: WARN slow query (2300ms) on orders",
        f"{minute(6)} app: ERROR payment timeout order=17",
        f"{minute(5)} app: INFO GET /health 200",
        f"{minute(4)} proxy: GET /api/orders 503",
    ]
    first = recorded.calls[0]
    assert sorted(first["logStreamNames"]) == sorted(
        f"ip-10-0-1-10.application.var.log.containers.web-1_{NS}_{c}-{HEX}.log" for c in ("app", "proxy")
    )
    assert "filterPattern" not in first
    # Read from the end backwards: the first window is the last quarter hour.
    assert (first["startTime"], first["endTime"]) == (cw_ago(minutes=15), cw_ago(minutes=0))


def test_cloudwatch_filter_goes_to_cloudwatch_as_a_case_insensitive_pattern(endpoint: str, seeded: None) -> None:
    runner, recorded = cloudwatch(endpoint, INSIGHTS)
    errors = runner.run(TOOL, {"pod_name": "web-1", "namespace": NS, "filter": "error|503"})
    assert errors.text.splitlines() == [
        f"{minute(6)} app: ERROR payment timeout order=17",
        f"{minute(4)} proxy: GET /api/orders 503",
    ]
    assert recorded.calls[-1]["filterPattern"] == "%[eE][rR][rR][oO][rR]|503%"
    # A filter CloudWatch's patterns cannot say (a space, a parenthesis) is applied here only.
    slow = runner.run(TOOL, {"pod_name": "web-1", "namespace": NS, "filter": "slow query (", "exclude_filter": "x"})
    assert slow.text.splitlines() == [f"{minute(7)} app: WARN slow query (2300ms) on orders"]
    assert "filterPattern" not in recorded.calls[-1]


def test_cloudwatch_limit_reads_only_the_latest_windows(endpoint: str, seeded: None) -> None:
    runner, recorded = cloudwatch(endpoint, INSIGHTS)
    result = runner.run(TOOL, {"pod_name": "busy-0", "namespace": NS, "limit": 3})
    assert result.text.splitlines() == [
        f"{minute(3)} tick 003",
        f"{minute(2)} tick 002",
        f"{minute(1)} tick 001",
        "[limit 3 applied: returned the latest 3 of 15 matching lines (12 omitted)]",
    ]
    assert len(recorded.calls) == 1  # the last quarter hour held enough
    # An hour before an end an hour ago: both ends in, read in three windows (15, 30, then the last 15 minutes).
    before = len(recorded.calls)
    ranged = runner.run(TOOL, {"pod_name": "busy-0", "namespace": NS, "start_time": "-3600", "end_time": minute(60)})
    lines = ranged.text.splitlines()
    assert (lines[0], lines[-1], len(lines)) == (f"{minute(120)} tick 120", f"{minute(60)} tick 060", 61)
    assert len(recorded.calls) - before == 3


def test_cloudwatch_plain_text_found_by_the_pods_name(endpoint: str, seeded: None) -> None:
    runner, recorded = cloudwatch(endpoint, PLAIN)
    result = runner.run(TOOL, {"pod_name": "web-1", "namespace": NS})
    assert result.text.splitlines() == [f"{minute(6)} web-1 ERROR payment timeout", f"{minute(4)} web-1 INFO recovered"]
    assert recorded.calls[0]["filterPattern"] == '"web-1"' and "logStreamNames" not in recorded.calls[0]


def test_cloudwatch_nothing_found_missing_group_and_bad_parameters(endpoint: str, seeded: None) -> None:
    runner, recorded = cloudwatch(endpoint, INSIGHTS)
    nothing = runner.run(TOOL, {"pod_name": "web-1", "namespace": NS, "filter": "disk full", "start_time": "-600"})
    assert nothing.status == "no_data"
    assert nothing.text.startswith(
        f"No logs found for pod web-1 in namespace {NS} matching 'disk full' between {minute(10)} and {minute(0)}."
    )
    missing, _ = cloudwatch(endpoint, "/aws/containerinsights/nope/application")
    lost = missing.run(TOOL, {"pod_name": "web-1", "namespace": NS})
    assert lost.status == "error" and "/aws/containerinsights/nope/application" in (lost.error or "")
    before = len(recorded.calls)
    assert "end_time" in (runner.run(TOOL, {"pod_name": "web-1", "namespace": NS, "end_time": "later"}).error or "")
    assert len(recorded.calls) == before
    no_groups = CloudWatchLogsToolRunner(REGION, endpoint_url=endpoint)
    assert TOOL not in no_groups.available_tools()
    assert no_groups.run(TOOL, {"pod_name": "a", "namespace": "b"}).status == "error"


# --- composition -------------------------------------------------------------------------------------------------


def test_a_configured_log_store_serves_fetch_pod_logs_before_the_cluster(
    loki: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = loki
    no_cluster = {"kubeconfig": "", "profile": "aws", "kubernetes_in_cluster": False, "eks_cluster_name": ""}
    bare = Scope(get_settings().model_copy(update={**no_cluster, "loki_url": "", "cloudwatch_log_groups": ""}))
    runner = bare.get(tool_runner)
    assert {"fetch_pod_logs", "get_current_time", "kubectl_find_resource"} <= runner.available_tools()
    assert runner.run(TOOL, {"pod_name": "web-1", "namespace": NS}).status == "unavailable"  # no cluster, no store
    clock = runner.run("get_current_time", {})
    assert clock.status == "success" and clock.text.startswith("The current UTC date and time are ")
    with_loki = Scope(get_settings().model_copy(update={**no_cluster, "loki_url": url}))
    before = len(seen)
    window = {"start_time": "2024-05-01T11:00:00Z", "end_time": "2024-05-01T12:00:00Z"}
    answer = with_loki.get(tool_runner).run(TOOL, {"pod_name": "web-1", "namespace": NS, **window})
    assert answer.status == "success", answer.error
    assert len(seen) == before + 1 and "web-1" in seen[-1]["query"]

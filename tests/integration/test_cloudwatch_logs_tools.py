"""CloudWatchLogsToolRunner over real boto3 against moto in server mode on loopback.

moto implements a subset of Logs Insights: `fields` (@timestamp, @message, @logStream, @log), `sort <field>
[asc|desc]` and `limit N`; other commands (filter, stats, parse) are ignored. The queries here keep to that subset.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from aisre.investigations.adapters.tools.cloudwatch_logs import (
    CloudWatchLogsToolRunner,
    format_timestamp,
    log_group_names,
)
from tests.support.servers import free_port

TOOL = "cloudwatch_logs_insights_query"
REGION = "us-east-1"
GROUP = "/aws/lambda/checkout"
QUERY = "fields @timestamp, @message | sort @timestamp desc | limit 20"


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
        "logs",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def seeded(endpoint: str) -> list[str]:
    """Messages put one second apart, ending a minute ago (inside the default last hour)."""
    client = logs_client(endpoint)
    client.create_log_group(logGroupName=GROUP)
    client.create_log_stream(logGroupName=GROUP, logStreamName="2024/05/01/[$LATEST]abc")
    now_ms = int(time.time() * 1000) - 60_000
    messages = [f"request {i} failed: upstream timeout" for i in range(5)]
    client.put_log_events(
        logGroupName=GROUP,
        logStreamName="2024/05/01/[$LATEST]abc",
        logEvents=[{"timestamp": now_ms - (len(messages) - i) * 1000, "message": m} for i, m in enumerate(messages)],
    )
    client.create_log_group(logGroupName="/aws/lambda/empty")
    return messages


def runner(endpoint: str, **kwargs: Any) -> CloudWatchLogsToolRunner:
    return CloudWatchLogsToolRunner(REGION, endpoint_url=endpoint, client=logs_client(endpoint), **kwargs)


def test_query_returns_the_put_messages_newest_last(endpoint: str, seeded: list[str]) -> None:
    result = runner(endpoint).run(TOOL, {"log_group_names": [GROUP], "query": QUERY})
    assert result.status == "success", result.error
    lines = result.text.splitlines()
    assert lines[0] == f"5 rows from {GROUP}"
    assert [line.split(" ", 1)[1] for line in lines[1:]] == seeded  # sorted desc by the query, shown oldest first
    assert lines[1][:4].isdigit() and lines[1][10] == "T"  # an RFC 3339 timestamp leads each line
    assert "@ptr" not in result.text


def test_comma_separated_groups_explicit_range_and_extra_fields(endpoint: str, seeded: list[str]) -> None:
    now = int(time.time())
    result = runner(endpoint).run(
        TOOL,
        {
            "log_group_names": f"{GROUP}, /aws/lambda/empty",
            "query": "fields @timestamp, @message, @logStream | sort @timestamp asc | limit 2",
            "start": now - 600,
            "end": str(now),
        },
    )
    assert result.status == "success", result.error
    lines = result.text.splitlines()
    assert lines[0] == f"2 rows from {GROUP}, /aws/lambda/empty"
    assert lines[1].endswith(f"{seeded[0]} @logStream=2024/05/01/[$LATEST]abc")
    assert seeded[1] in lines[2]


def test_lazy_client_from_region_and_endpoint(endpoint: str, seeded: list[str], monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    result = CloudWatchLogsToolRunner(REGION, endpoint_url=endpoint, default_log_groups=[GROUP]).run(
        TOOL, {"query": QUERY}
    )
    assert result.status == "success", result.error
    assert seeded[-1] in result.text


def test_empty_group_and_past_range_are_no_data(endpoint: str, seeded: list[str]) -> None:
    empty = runner(endpoint).run(TOOL, {"log_group_names": "/aws/lambda/empty", "query": QUERY})
    assert empty.status == "no_data"
    assert "/aws/lambda/empty" in empty.text
    past = runner(endpoint).run(
        TOOL, {"log_group_names": [GROUP], "query": QUERY, "start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00Z"}
    )
    assert past.status == "no_data"


def test_missing_log_group_is_an_error_naming_it(endpoint: str, seeded: list[str]) -> None:
    result = runner(endpoint).run(TOOL, {"log_group_names": ["/aws/lambda/nope"], "query": QUERY})
    assert result.status == "error"
    assert result.error is not None and "/aws/lambda/nope" in result.error
    assert "not found" in result.error


def test_unreachable_endpoint_is_unavailable(monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    dead = f"http://127.0.0.1:{free_port()}"
    result = CloudWatchLogsToolRunner(REGION, endpoint_url=dead, timeout=5).run(
        TOOL, {"log_group_names": [GROUP], "query": QUERY}
    )
    assert result.status == "unavailable", result.error
    assert result.error is not None and "unreachable" in result.error


def test_truncation_keeps_the_newest_lines(endpoint: str) -> None:
    client = logs_client(endpoint)
    group = "/aws/lambda/chatty"
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="s")
    base = int(time.time() * 1000) - 300_000
    client.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": base + i * 100, "message": f"line {i:03d} " + "x" * 80} for i in range(200)],
    )
    result = runner(endpoint, budget=2_000).run(
        TOOL, {"log_group_names": group, "query": "fields @timestamp, @message | sort @timestamp desc | limit 200"}
    )
    assert result.status == "success", result.error
    assert len(result.text) <= 2_000
    lines = result.text.splitlines()
    assert lines[0] == f"200 rows from {group}"
    assert lines[1].startswith("[truncated: ") and "earlier of 200 lines omitted" in lines[1]
    assert "line 199 " in lines[-1]
    assert "line 000 " not in result.text


def test_bad_parameters_are_errors_without_calls() -> None:
    quiet = CloudWatchLogsToolRunner(REGION, endpoint_url="http://127.0.0.1:9")
    assert quiet.available_tools() == frozenset({TOOL})
    assert quiet.run("kubectl_logs", {}).status == "error"
    assert "query" in (quiet.run(TOOL, {"log_group_names": GROUP}).error or "")
    assert "log_group_names" in (quiet.run(TOOL, {"query": QUERY}).error or "")
    assert "start" in (quiet.run(TOOL, {"log_group_names": GROUP, "query": QUERY, "start": "soon"}).error or "")
    assert "after" in (quiet.run(TOOL, {"log_group_names": GROUP, "query": QUERY, "start": 20, "end": 10}).error or "")
    assert quiet._client is None  # nothing was sent, so no client was made


class _NeverDone:
    """A stand-in client whose query stays Running: moto completes every query at once, so the runner's own
    timeout (and its StopQuery) cannot be reached through it."""

    def __init__(self) -> None:
        self.stopped: list[str] = []

    def start_query(self, **kwargs: Any) -> dict[str, Any]:
        return {"queryId": "q-1"}

    def get_query_results(self, queryId: str) -> dict[str, Any]:
        return {"status": "Running", "results": []}

    def stop_query(self, queryId: str) -> dict[str, Any]:
        self.stopped.append(queryId)
        return {"success": True}


def test_runner_timeout_stops_the_query() -> None:
    client = _NeverDone()
    result = CloudWatchLogsToolRunner(REGION, poll_interval=0.01, timeout=0.1, client=client).run(
        TOOL, {"log_group_names": GROUP, "query": QUERY}
    )
    assert result.status == "error"
    assert result.error is not None and "timed out" in result.error
    assert client.stopped == ["q-1"]


def test_helpers() -> None:
    assert log_group_names(" a, b ,a,,") == ["a", "b"]
    assert log_group_names(["a", " ", "c"]) == ["a", "c"]
    assert format_timestamp("1714564800123") == "2024-05-01T12:00:00.123Z"
    assert format_timestamp("2024-05-01 12:00:00.123") == "2024-05-01T12:00:00.123Z"

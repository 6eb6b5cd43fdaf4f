"""The gatherer asks Prometheus and Loki about the subject when those tools are configured, and only then."""

from collections.abc import Mapping
from typing import Any

from aisre.investigations.model.evidence import Issue, Subject, ToolResult
from aisre.investigations.service.gather import gather


class RecordingRunner:
    """A ToolRunner (our port) that serves the named tools and remembers every call."""

    def __init__(self, tools: set[str]):
        self.tools = frozenset(tools)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def available_tools(self) -> frozenset[str]:
        return self.tools

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        self.calls.append((tool, dict(params)))
        return ToolResult(tool=tool, params=params, status="no_data")


ISSUE = Issue(title="KubePodCrashLooping", subject=Subject(kind="pod", name="api-7d8f9c6b5-x2k4m", namespace="prod"))


def test_metrics_and_logs_of_the_pod_are_queried_when_configured():
    runner = RecordingRunner({"kubectl_describe", "prometheus_query_instant", "loki_query_logs"})
    evidence = gather(ISSUE, runner)
    queries = [params["query"] for tool, params in runner.calls if tool == "prometheus_query_instant"]
    assert len(queries) == 3
    assert all('namespace="prod", pod=~"api-7d8f9c6b5-x2k4m.*"' in query for query in queries)
    assert any("kube_pod_container_status_restarts_total" in query for query in queries)
    assert (
        "loki_query_logs",
        {"query": '{namespace="prod", pod=~"api-7d8f9c6b5-x2k4m.*"}', "limit": 200},
    ) in runner.calls
    assert {result.tool for result in evidence.results} >= {"prometheus_query_instant", "loki_query_logs"}


def test_nothing_is_asked_of_tools_that_are_not_configured():
    runner = RecordingRunner({"kubectl_describe"})
    gather(ISSUE, runner)
    assert {tool for tool, _ in runner.calls} == {"kubectl_describe"}

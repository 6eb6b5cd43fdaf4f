"""One ToolRunner made of several (Kubernetes, Prometheus, Loki, ...): each tool goes to the first runner that
serves it. `run` never raises: an unknown tool, or a runner that broke its promise and raised, is an "error"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.investigations.model.evidence import ToolResult
from aisre.investigations.ports import ToolRunner


class CompositeToolRunner:
    def __init__(self, *runners: ToolRunner) -> None:
        self.runners = runners

    def available_tools(self) -> frozenset[str]:
        return frozenset().union(*(runner.available_tools() for runner in self.runners))

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        for runner in self.runners:
            if tool in runner.available_tools():
                try:
                    return runner.run(tool, params)
                except Exception as exc:
                    return ToolResult(tool, dict(params), "error", error=f"{type(exc).__name__}: {exc}")
        return ToolResult(tool, dict(params), "error", error=f"tool {tool} is not available")

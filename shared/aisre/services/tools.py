"""The port investigations call tools through (kubectl, logs, traces, ...); adapters implement it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from aisre.domain.evidence import ToolResult


class ToolRunner(Protocol):
    """Runs read-only investigation tools by HolmesGPT's tool names. `run` never raises: failures are results."""

    def available_tools(self) -> frozenset[str]: ...

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult: ...

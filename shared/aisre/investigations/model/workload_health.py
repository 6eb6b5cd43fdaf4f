"""A workload health check's verdict in HolmesGPT's structured form (`workload_healthy`, `root_cause_summary`),
derived from the engine's result in one function, so that another engine's verdict can replace it in one place."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aisre.investigations.model.analysis.finding import Analysis
from aisre.investigations.model.evidence import ToolResult
from aisre.investigations.model.questions.health import assess

MAX_CAUSES = 3


@dataclass(frozen=True)
class WorkloadVerdict:
    """healthy: True, False, or None when nothing could be read about the workload."""

    healthy: bool | None
    summary: str

    def public(self) -> dict[str, Any]:
        # HolmesGPT's schema has no "unknown": a workload that could not be looked at is not reported healthy,
        # since its clients may silence healthy results (the summary says why).
        return {"workload_healthy": self.healthy is True, "root_cause_summary": self.summary}

    def as_analysis(self) -> str:
        """The JSON text HolmesGPT's `analysis` holds for a health check (its clients json.loads it)."""
        return json.dumps(self.public())


def workload_verdict(analysis: Analysis, results: Sequence[ToolResult]) -> WorkloadVerdict:
    """Findings mean unhealthy (their root causes are the summary); so do problems the reads show without a known
    cause (a pod not ready, a warning event); none, with something read that shows the workload running,
    healthy; nothing read, unknown."""
    if analysis.findings:
        causes = [finding.root_cause for finding in analysis.findings[:MAX_CAUSES]]
        return WorkloadVerdict(False, " ".join(cause if cause.endswith(".") else f"{cause}." for cause in causes))
    subject = analysis.issue.subject.name
    health = assess(results, [subject] if subject else [])
    if health.healthy is False:
        problems = "; ".join(dict.fromkeys(health.problems[:MAX_CAUSES]))
        return WorkloadVerdict(False, f"Not healthy, with no known cause found: {problems}.")
    read = [result.label for result in results if result.status == "success"]
    if read:
        shown = "; ".join(dict.fromkeys(health.good[:MAX_CAUSES]))
        facts = f"{shown}. " if shown else ""
        return WorkloadVerdict(True, f"No problem found: {facts}Read by {len(read)} tool call(s): {', '.join(read)}.")
    reasons = list(dict.fromkeys(result.error or result.status for result in results))
    why = f": {'; '.join(reasons)}" if reasons else ""
    return WorkloadVerdict(None, f"The workload's health could not be assessed: no tool could read it{why}.")

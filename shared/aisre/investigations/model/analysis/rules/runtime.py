"""What a workload itself said (its logs, termination messages, events, the alert's finding), and the finding a
cause read there makes: the cause, then the symptom it produced (a crash loop, a failed job), citing both hops."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.common import crash_looping, crash_phrase
from aisre.investigations.model.analysis.rules.jobs import job_failure
from aisre.investigations.model.analysis.text import Hit, quotes
from aisre.investigations.model.evidence import LOG_TOOLS, Evidence, ToolResult

# Where a process's own words show up: its logs, its termination message (describe), events, the alert's finding.
RUNTIME_TOOLS = frozenset(
    {*LOG_TOOLS, "kubectl_describe", "kubectl_events", "fetch_finding_by_id", "kubectl_lineage_children"}
)


def runtime(evidence: Evidence) -> list[ToolResult]:
    """The subject's own runtime words: objects read for context (nodes, ConfigMaps) are left out."""
    return [
        messages_only(r) if r.tool == "kubectl_describe" else r for r in evidence.focused() if r.tool in RUNTIME_TOOLS
    ]


def messages_only(result: ToolResult) -> ToolResult:
    """A describe's termination messages and events: what happened, not what the spec says should happen."""
    kept: list[str] = []
    in_events = False
    for line in result.text.splitlines():
        if line.startswith("Events:"):
            in_events = True
        if in_events or line.strip().startswith("Message:"):
            kept.append(line)
    return replace(result, text="\n".join(kept))


def symptom(evidence: Evidence) -> tuple[str, tuple[str, ...]]:
    """What a cause read in the workload's words led to, in words and in the lines that show it: the container's
    crash loop (describe) and the job's failure (its describe's event)."""
    phrase = crash_phrase(evidence)
    lines: list[str] = []
    looping = crash_looping(evidence)
    if looping:
        lines.append(looping[0].state_line())
    failure = job_failure(evidence)
    if failure is not None:
        phrase += f" As a result job `{failure.name}` failed: {failure.why}."
        lines.extend(failure.lines[:1])
    return phrase, tuple(lines)


def cause_finding(
    evidence: Evidence, rule: str, cause: str, hits: Iterable[Hit], confidence: float, *tips: str
) -> Finding:
    phrase, symptom_lines = symptom(evidence)
    cited = quotes(hits)
    return Finding(
        rule=rule,
        root_cause=cause + phrase,
        evidence_lines=cited + tuple(line for line in symptom_lines if line not in cited),
        confidence=confidence,
        suggestions=tuple(tips),
    )

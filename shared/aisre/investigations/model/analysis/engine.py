"""Runs every rule over the evidence and ranks what they found, most confident first."""

from __future__ import annotations

from collections.abc import Sequence

from aisre.investigations.model.analysis.finding import Analysis, Finding
from aisre.investigations.model.analysis.rules import RULES, Rule
from aisre.investigations.model.evidence import GATHERING_NOTE, Evidence

# The generic fallback only speaks when no specific rule explained anything.
FALLBACK_RULES = frozenset({"application_errors"})
# Findings that state a symptom or a suspect, not a cause: the fallback may still add the errors behind them.
SYMPTOM_RULES = frozenset({"application_errors", "crash_loop", "recent_change", "job_failed"})


def analyze(evidence: Evidence, rules: Sequence[Rule] = RULES) -> Analysis:
    found: list[tuple[int, Finding]] = []
    for order, rule in enumerate(rules):
        finding = rule(evidence)
        if finding is not None:
            found.append((order, finding))
    if any(finding.rule not in SYMPTOM_RULES for _, finding in found):
        found = [item for item in found if item[1].rule not in FALLBACK_RULES]
    found.sort(key=lambda item: (-item[1].confidence, item[0]))
    return Analysis(
        issue=evidence.issue,
        findings=tuple(finding for _, finding in found),
        tool_calls=tuple(result.label for result in evidence.results if result.tool != GATHERING_NOTE),
        notes=evidence.notes,
    )

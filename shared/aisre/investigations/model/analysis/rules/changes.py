"""A recent deploy or configuration change of the service: often the cause, always worth stating."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.text import find, quotes
from aisre.investigations.model.evidence import Evidence

_CHANGE_TOOLS = ("fetch_configuration_changes", "fetch_configuration_changes_metadata", "deploy_correlation")
_CHANGE_LINE = re.compile(r"image|revision|deploy|changed|updated|rollout|config", re.IGNORECASE)


def recent_change(evidence: Evidence) -> Finding | None:
    changes = [r for r in evidence.of(*_CHANGE_TOOLS) if r.status == "success" and r.text.strip()]
    hits = find(changes, _CHANGE_LINE)
    if not hits:
        return None
    return Finding(
        rule="recent_change",
        root_cause="The service was changed shortly before the alert (a deploy or configuration change).",
        evidence_lines=quotes(hits),
        confidence=0.45,
        suggestions=("Compare the change with the failure; if they line up, roll back (kubectl rollout undo)",),
    )

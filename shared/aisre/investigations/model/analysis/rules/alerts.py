"""Alerts whose meaning is known from their name: heartbeats, overcommit; and investigations with no tools at all."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.text import quote
from aisre.investigations.model.evidence import Evidence

HEARTBEATS = frozenset({"watchdog", "infoinhibitor", "deadmansswitch", "deadmanswitch", "deadmanssnitch"})


def _is_heartbeat(name: str) -> bool:
    return name.replace("_", "").replace("-", "").lower() in HEARTBEATS


def heartbeat_alert(evidence: Evidence) -> Finding | None:
    name = evidence.issue.alertname
    if not _is_heartbeat(name):
        return None
    if name.lower() == "infoinhibitor":
        cause = (
            f"`{name}` is not an issue: it is expected to fire whenever info-level alerts are active, to inhibit "
            "them from notifying. No action is needed; route it to a null receiver."
        )
    else:
        cause = (
            f"`{name}` is not an issue: it is a heartbeat (dead man's switch) alert that is expected to be always "
            "firing, proving the alerting pipeline (Prometheus to Alertmanager to receivers) works. No action is "
            "needed; it is a problem only if it stops firing."
        )
    lines = tuple(quote(v) for k, v in evidence.issue.annotations.items() if k in ("summary", "description") and v)
    return Finding(
        rule="heartbeat_alert",
        root_cause=cause,
        evidence_lines=lines,
        confidence=0.98,
        suggestions=("Route it to a dead man's switch service (e.g. a heartbeat monitor) that pages when it stops",),
    )


_KUBERNETES_TOOLS = re.compile(r"^(kubectl_|fetch_pod_logs|kubernetes_)")


def no_tools_available(evidence: Evidence) -> Finding | None:
    """Nothing can be checked: say so, and which toolsets to enable, rather than guess."""
    if _is_heartbeat(evidence.issue.alertname):
        return None  # a heartbeat needs no tool to be explained
    if any(_KUBERNETES_TOOLS.match(tool) for tool in evidence.available_tools):
        return None
    if any(r.status == "success" for r in evidence.results):
        return None
    return Finding(
        rule="no_tools_available",
        root_cause=(
            "The cause cannot be determined: no Kubernetes tools are available to this investigation (the "
            "kubernetes toolsets are not enabled), so pods, logs and events could not be read."
        ),
        evidence_lines=(f"available tools: {', '.join(sorted(evidence.available_tools)) or 'none'}",),
        confidence=0.5,
        suggestions=(
            "Enable the kubernetes/core and kubernetes/logs toolsets, or the bash toolset, or both, and re-run",
        ),
    )


_OVERCOMMIT = re.compile(r"(CPU|Memory)Overcommit", re.IGNORECASE)
_STATS = re.compile(r"total of your pods requests is[^.]*\.?[^\"]*?allocatable[^.\"]*", re.IGNORECASE)


def resource_overcommit(evidence: Evidence) -> Finding | None:
    match = _OVERCOMMIT.search(evidence.issue.alertname)
    if not match:
        return None
    resource = match.group(1).upper() if match.group(1).lower() == "cpu" else "memory"
    lines = [quote(v) for k, v in evidence.issue.annotations.items() if k == "description" and v]
    for result in evidence.results:
        lines.extend(quote(m.group(0)) for m in _STATS.finditer(result.text))
    return Finding(
        rule="resource_overcommit",
        root_cause=(
            f"The cluster has overcommitted {resource} requests: the pods' {resource} requests exceed what the "
            "cluster could still provide if one node failed. Nothing is broken now, but a node loss would leave "
            "pods unschedulable."
        ),
        evidence_lines=tuple(dict.fromkeys(lines)),
        confidence=0.8,
        suggestions=(
            f"Add {resource} capacity (another node) or lower over-sized {resource} requests (right-size them)",
        ),
    )

"""Performance: CPU throttling against a low CPU limit, and slow operations (database or downstream calls) in logs."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.common import pod_containers
from aisre.investigations.model.analysis.rules.dependencies import call_target
from aisre.investigations.model.analysis.text import Hit, context, find, quote
from aisre.investigations.model.evidence import Evidence

_THROTTLING = re.compile(r"throttl", re.IGNORECASE)


def cpu_throttling(evidence: Evidence) -> Finding | None:
    """A throttling alert on a container with a CPU limit: the limit caps it below what it tries to use."""
    issue = evidence.issue
    if not _THROTTLING.search(f"{issue.alertname} {issue.title} {issue.description}"):
        return None
    containers = [c for c in pod_containers(evidence) if c.info.limits.get("cpu")]
    wanted = issue.subject.container
    containers.sort(key=lambda c: c.info.name != wanted)
    lines = [quote(issue.description)] if issue.description else []
    if containers:
        first = containers[0]
        limit = first.info.limits["cpu"]
        cause = (
            f"{first.where} is CPU throttled: its CPU limit is {limit}, lower than the CPU it tries to use, "
            "so the kernel's CFS quota throttles it."
        )
        lines.append(f"{first.pod}/{first.info.name}: Limits: cpu: {limit}")
        if first.info.command:
            lines.append("Command: " + " ".join(first.info.command))
    else:
        cause = "The container is CPU throttled: it uses more CPU than its CPU limit allows."
    return Finding(
        rule="cpu_throttling",
        root_cause=cause,
        evidence_lines=tuple(lines),
        confidence=0.88,
        suggestions=(
            "Increase the CPU limit (or remove the CPU limit and keep a realistic CPU request)",
            "Or reduce the work the container does (fewer worker threads/processes)",
        ),
    )


_DURATION = re.compile(
    r"(?:in|took|duration[:=]?|elapsed[:=]?|after|latency[:=]?)\s*(\d+(?:\.\d+)?)\s*(ms|milliseconds|s|sec|secs|seconds)\b"
    # Structured logs put the unit in the key: duration_ms=2300, "latencyMs": 2300, elapsed_s=4.1.
    r"|\b(?:duration|latency|elapsed|took|response_?time|request_?time)_?(ms|millis|s|sec|seconds)\"?\s*[:=]\s*\"?"
    r"(\d+(?:\.\d+)?)",
    re.IGNORECASE,
)
_DB_WORDS = re.compile(r"database|\bdb\b|query|sql|stored procedure|postgres|mysql|mongo|redis", re.IGNORECASE)
SLOW_SECONDS = 1.0


def _seconds(hit: Hit) -> float:
    value = float(hit.match.group(1) or hit.match.group(4))
    unit = (hit.match.group(2) or hit.match.group(3)).lower()
    return value / 1000 if unit.startswith("m") else value


def slow_operations(evidence: Evidence) -> Finding | None:
    """Log lines timing an operation at a second or more: the slowest one and what it is (database or not)."""
    hits = [h for h in find(evidence.logs(), _DURATION) if _seconds(h) >= SLOW_SECONDS]
    if not hits:
        return None
    slowest = max(hits, key=_seconds)
    around = context(slowest.result, slowest.line, before=3, after=1)
    db = [h for h in hits if _DB_WORDS.search(h.line)]
    if db:
        worst_db = max(db, key=_seconds)
        cause = (
            f"Responses are slow because a database call is slow: it takes up to {_seconds(worst_db):g} seconds "
            "(a slow query or stored procedure on the database)."
        )
    else:
        target = call_target(slowest.line)
        what = f"a call to `{target}`" if target else "an operation"
        cause = f"Requests are slow: the logs time {what} at up to {_seconds(slowest):g} seconds."
    pod = slowest.result.params.get("pod_name")
    if pod:
        cause += f" Seen in the logs of pod `{pod}`."
    return Finding(
        rule="slow_operations",
        root_cause=cause,
        evidence_lines=around,
        confidence=0.8 if db else 0.6,
        suggestions=(
            "Profile the slow query (EXPLAIN ANALYZE), add the missing index or cache its result",
            "Set timeouts on the call and consider making it asynchronous if it is not needed for the response",
        ),
    )

"""A rule over the alert's own words, for when no tool could read the cluster: what the alert itself reports.

It is one of the analyzer's rules (rules.RULES), so an investigation with no cluster configured, or none that
answers, still names the cause its alert states, at a confidence below what the cluster's own evidence gives
(the oom_killed rule, reading a pod's last state, says 0.95), citing the field of the alert it read."""

from __future__ import annotations

import re
from collections.abc import Iterator

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.text import quote
from aisre.investigations.model.evidence import Evidence, Issue

# What an alert's text alone is worth: a monitoring system's words, no tool's observation.
ALERT_TEXT_CONFIDENCE = 0.6

# (pattern, rule, what the alert reports, next steps); the first match wins, causes before symptoms.
_REPORTED: tuple[tuple[re.Pattern[str], str, str, tuple[str, ...]], ...] = (
    (
        re.compile(r"\bOOM\b|OOM[ _-]?Kill|out of memory|OutOfMemory|memory limit[^.\n]*exceeded", re.IGNORECASE),
        "alert_reports_oom",
        "The alert reports an OOM kill: a container used more memory than its limit and the kernel killed it.",
        (
            "Raise the container's memory limit (and request) to cover its real peak usage",
            "Check for a memory leak or unbounded cache; for a JVM set -Xmx or -XX:MaxRAMPercentage below the limit",
        ),
    ),
    (
        re.compile(r"ImagePullBackOff|ErrImagePull", re.IGNORECASE),
        "alert_reports_image_pull",
        "The alert reports that an image cannot be pulled (wrong name or tag, or missing registry credentials).",
        ("Check the image name and tag, and the pod's imagePullSecrets",),
    ),
    (
        re.compile(r"CrashLoopBackOff|crash[ -]?loop", re.IGNORECASE),
        "alert_reports_crash_loop",
        "The alert reports a crash loop: a container keeps exiting and Kubernetes keeps restarting it.",
        ("Read the previous container's logs (kubectl logs --previous) for the error it exits with",),
    ),
)


def _fields(issue: Issue) -> Iterator[tuple[str, str]]:
    """The alert's free text, each piece with the name of the field it came from, most telling first."""
    yield "title", issue.title
    yield "description", issue.description
    for key, value in issue.annotations.items():
        yield f"annotation {key}", value
    for key, value in issue.labels.items():
        yield f"label {key}", value
    for title in issue.grouped_alerts:
        yield "grouped alert", title


def alert_reported_cause(evidence: Evidence) -> Finding | None:
    """What the alert text states as the cause, only when no tool returned data to confirm or refute it."""
    if any(result.status == "success" for result in evidence.results):
        return None
    for pattern, rule, cause, suggestions in _REPORTED:
        for field, text in _fields(evidence.issue):
            line = next((line for line in (text or "").splitlines() if pattern.search(line)), None)
            if line is None:
                continue
            return Finding(
                rule=rule,
                root_cause=cause + " This is what the alert says; no tool could read the cluster to confirm it.",
                evidence_lines=(quote(f"alert {field}: {line.strip()}"),),
                confidence=ALERT_TEXT_CONFIDENCE,
                suggestions=suggestions,
            )
    return None

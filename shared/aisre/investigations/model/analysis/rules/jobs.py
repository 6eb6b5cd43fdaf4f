"""Failed Jobs: backoff limit or deadline reached. The cause itself is read from the pods' logs by other rules,
which name the failed job beside it (common.symptom)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.text import find, quotes
from aisre.investigations.model.evidence import Evidence

_BACKOFF = re.compile(r"BackoffLimitExceeded|reached the specified backoff limit", re.IGNORECASE)
_DEADLINE = re.compile(r"DeadlineExceeded|active longer than specified deadline", re.IGNORECASE)
_STATUSES = re.compile(r"Pods Statuses:.*?(\d+) Succeeded / (\d+) Failed")
_LIMIT = re.compile(r"Backoff Limit:\s+(\d+)")
_FAILED_ROW = re.compile(r"^\S+\s+Failed\s+\d+/\d+")


@dataclass(frozen=True)
class JobFailure:
    name: str
    why: str  # "its pods kept failing (2 failed) until it reached its backoff limit (Backoff Limit: 1)"
    lines: tuple[str, ...]  # the event or status lines saying so, most telling first


def job_failure(evidence: Evidence) -> JobFailure | None:
    describes = list(evidence.describes("job"))
    text = "\n".join(r.text for r in describes)
    statuses = _STATUSES.search(text)
    limit = _LIMIT.search(text)
    backoff = find(describes, _BACKOFF)
    deadline = find(describes, _DEADLINE)
    failed_rows = find(evidence.of("kubectl_get_by_name"), _FAILED_ROW)
    failed = int(statuses.group(2)) if statuses else 0
    exhausted = limit is not None and failed > int(limit.group(1))
    if not (backoff or deadline or exhausted or failed_rows):
        return None
    name = describes[0].params.get("name") if describes else evidence.issue.subject.name
    lines = list(quotes([*backoff, *deadline, *failed_rows]))
    if statuses:
        lines.append(statuses.group(0).strip())
    if limit:
        lines.append(limit.group(0))
    if deadline and not backoff:
        why = "it ran longer than its activeDeadlineSeconds (DeadlineExceeded)"
    else:
        limit_text = f" (Backoff Limit: {limit.group(1)})" if limit else ""
        why = f"its pods kept failing ({failed} failed) until it reached its backoff limit{limit_text}"
    return JobFailure(str(name), why, tuple(lines))


def job_failed(evidence: Evidence) -> Finding | None:
    failure = job_failure(evidence)
    if failure is None:
        return None
    return Finding(
        rule="job_failed",
        root_cause=f"Job `{failure.name}` failed: {failure.why}. The reason its pods fail is in their logs.",
        evidence_lines=failure.lines,
        confidence=0.85,
        suggestions=(
            "Fix the error the job's pods report (see their logs), then re-run the job",
            "Raise backoffLimit only for transient failures; it does not fix a deterministic error",
        ),
    )

"""Investigations of incidents and the diagnosis they produce (seed 001's /diagnosis shape)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from aisre.core.timestamps import utc_iso
from aisre.incidents.model.incident import Incident
from aisre.investigations.model.analysis.finding import Analysis
from aisre.investigations.model.evidence import LOG_TOOLS, Issue, Subject, ToolResult

if TYPE_CHECKING:
    from aisre.remediation.model.approvals import SuggestionApproval


class InvestigationStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class StepRecord(BaseModel):
    name: str
    status: str  # succeeded | failed
    started_at: datetime
    finished_at: datetime
    error: str | None = None

    @property
    def duration_ms(self) -> float:
        return round((self.finished_at - self.started_at).total_seconds() * 1000, 1)


class Diagnosis(BaseModel):
    incident_id: str
    summary: str
    root_cause: str | None
    confidence: float
    k8s_context: dict[str, Any] = Field(default_factory=dict)
    log_excerpt: str = ""
    # The lines the root cause rests on (the top finding's), and every finding with its own: what a person reads to
    # trust or doubt the conclusion.
    evidence_lines: list[str] = Field(default_factory=list)
    findings: list[dict[str, Any]] = Field(default_factory=list)
    matched_playbooks: list[str] = Field(default_factory=list)
    similar_incidents: list[dict[str, Any]] = Field(default_factory=list)
    deploy_correlation: dict[str, Any] | None = None
    suggested_actions: list[dict[str, Any]] = Field(default_factory=list)
    answer: str = ""
    not_gathered: list[str] = Field(default_factory=list)
    llm_error: str | None = None


class Investigation(BaseModel):
    id: str
    workspace_id: str
    incident_id: str
    status: InvestigationStatus = InvestigationStatus.RUNNING
    trigger: str
    started_at: datetime
    finished_at: datetime | None = None
    steps: list[StepRecord] = Field(default_factory=list)
    diagnosis: Diagnosis | None = None
    error: str | None = None
    tool_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None


def issue_from_incident(incident: Incident, grouped_alerts: Sequence[str] = ()) -> Issue:
    """What the gatherer and analyzer need to know of an incident: its alert, its Kubernetes subject, and the
    titles of the alerts grouped under it."""
    kind, name = None, None
    if incident.pod:
        kind, name = "pod", incident.pod
    elif incident.deployment:
        kind, name = "deployment", incident.deployment
    elif incident.labels.get("job_name"):
        kind, name = "job", incident.labels["job_name"]
    elif incident.labels.get("node"):
        kind, name = "node", incident.labels["node"]
    return Issue(
        title=incident.title,
        description=incident.description,
        source=incident.source,
        subject=Subject(kind=kind, name=name, namespace=incident.namespace, container=incident.labels.get("container")),
        labels=dict(incident.labels) | ({"alertname": incident.title} if "alertname" not in incident.labels else {}),
        annotations=dict(incident.annotations),
        starts_at=utc_iso(incident.created_at),
        issue_id=incident.external_id,
        grouped_alerts=tuple(grouped_alerts),
    )


_POD_STATE = re.compile(r"Reason:\s*(CrashLoopBackOff|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|Error)")
_LAST_REASON = re.compile(r"Last State:.*?Reason:\s*(\w+)", re.DOTALL)
_RESTARTS = re.compile(r"Restart Count:\s*(\d+)")


def kubernetes_context(results: Iterable[ToolResult]) -> dict[str, Any]:
    """pod_status, restart_count and last_termination_reason read from the subject's describe output."""
    context: dict[str, Any] = {}
    for result in results:
        if result.tool != "kubectl_describe" or result.status != "success":
            continue
        if (state := _POD_STATE.search(result.text)) and "pod_status" not in context:
            context["pod_status"] = state.group(1)
        if (restarts := _RESTARTS.search(result.text)) and "restart_count" not in context:
            context["restart_count"] = int(restarts.group(1))
        if (last := _LAST_REASON.search(result.text)) and "last_termination_reason" not in context:
            context["last_termination_reason"] = last.group(1)
    return context


# The findings a diagnosis lists after its root cause: the next ones are rarely more than noise.
MAX_FINDINGS_SHOWN = 5


def build_diagnosis(
    incident: Incident,
    analysis: Analysis,
    results: Sequence[ToolResult],
    answer: str,
    *,
    suggested_actions: Sequence[dict[str, Any]] = (),
    similar_incidents: Sequence[dict[str, Any]] = (),
    matched_playbooks: Sequence[str] = (),
    llm_error: str | None = None,
    log_lines: int = 50,
) -> Diagnosis:
    top = analysis.top
    log_excerpt = "\n".join(
        line for result in results if result.tool in LOG_TOOLS and result.status == "success"
        for line in result.text.splitlines()[-log_lines:]
    )[-8000:]  # fmt: skip
    return Diagnosis(
        incident_id=incident.id,
        summary=top.root_cause if top else "No known failure pattern matched the evidence gathered.",
        root_cause=top.root_cause if top else None,
        confidence=top.confidence if top else 0.0,
        k8s_context=kubernetes_context(results),
        log_excerpt=log_excerpt,
        evidence_lines=list(top.evidence_lines) if top else [],
        findings=[
            {
                "rule": finding.rule,
                "root_cause": finding.root_cause,
                "confidence": finding.confidence,
                "evidence_lines": list(finding.evidence_lines),
            }
            for finding in analysis.findings[:MAX_FINDINGS_SHOWN]
        ],
        matched_playbooks=list(matched_playbooks),
        similar_incidents=list(similar_incidents),
        deploy_correlation=incident.deploy_correlation.model_dump() if incident.deploy_correlation else None,
        suggested_actions=list(suggested_actions),
        answer=answer,
        not_gathered=[f"{r.label}: {r.error or r.status}" for r in results if r.status in {"error", "unavailable"}],
        llm_error=llm_error,
    )


def with_approvals(diagnosis: Diagnosis, approvals: Mapping[str, SuggestionApproval]) -> Diagnosis:
    """The diagnosis with, beside each suggested action, the approval asked for it (`approval_id`,
    `approval_status`; null until one is asked), matched by suggestion_key(name, arguments)."""
    # Imported here: the investigations router loads this module, and the catalog is not needed to route.
    from aisre.remediation.model.requests import suggestion_key

    suggested: list[dict[str, Any]] = []
    for item in diagnosis.suggested_actions:
        arguments = item.get("arguments")
        link = approvals.get(
            suggestion_key(str(item.get("name", "")), arguments if isinstance(arguments, dict) else {})
        )
        suggested.append(
            {
                **item,
                "approval_id": link.approval_id if link else None,
                "approval_status": link.status.value if link else None,
            }
        )
    return diagnosis.model_copy(update={"suggested_actions": suggested})

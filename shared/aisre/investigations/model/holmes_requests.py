"""HolmesGPT-compatible API requests (seed 004's fields) and their mapping to an `Issue`: kept apart from the
engine so the router's import (and a Lambda's cold start) does not load the analyzer and the agent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aisre.investigations.model.evidence import Issue, Subject, ToolResult

GENERIC_TEMPLATE = "builtin://generic_investigation.jinja2"
WORKLOAD_TEMPLATE = "builtin://kubernetes_workload_ask.jinja2"

_NAMING_KEYS = ("pod", "deployment", "statefulset", "daemonset", "job", "node")

# Which engine answers: a name GET /api/model lists; none, the configured model (else the analyzer); any other, 400.
ModelName = Annotated[
    str | None,
    Field(description="A model GET /api/model lists (aisre-analyzer: the deterministic analyzer); none: the default"),
]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None


def _history_starts_with_system(history: list[ChatMessage] | None) -> list[ChatMessage] | None:
    if history and history[0].role != "system":
        raise ValueError("the first message of conversation_history must have role 'system'")
    return history


class ResourceRef(BaseModel):
    """The object an issue or a health check is about; `pod: name`-style keys are accepted too."""

    model_config = ConfigDict(extra="allow")

    name: str | None = None
    namespace: str | None = None
    kind: str | None = None
    node: str | None = None
    container: str | None = None
    labels: dict[str, str] | None = None

    def to_subject(self) -> Subject:
        kind, name = self.kind, self.name
        extra = self.model_extra or {}
        if not name:
            for key in _NAMING_KEYS:
                if isinstance(extra.get(key), str) and extra[key]:
                    kind, name = key, extra[key]
                    break
        return Subject(kind=kind, name=name, namespace=self.namespace, node=self.node, container=self.container)


class InvestigateRequest(BaseModel):
    source: str
    title: str
    description: str
    subject: ResourceRef
    context: dict[str, Any]
    source_instance_id: str = "ApiRequest"
    include_tool_calls: bool = False
    include_tool_call_results: bool = False
    prompt_template: str = GENERIC_TEMPLATE
    sections: dict[str, str] | None = None
    model: ModelName = None


class ChatRequest(BaseModel):
    ask: str = Field(min_length=1)
    conversation_history: list[ChatMessage] | None = None
    model: ModelName = None

    _history = field_validator("conversation_history")(_history_starts_with_system)


class InvestigationResultRef(BaseModel):
    result: str | None = None
    tools: list[Any] | None = None


class IssueChatRequest(ChatRequest):
    investigation_result: InvestigationResultRef
    issue_type: str


class WorkloadHealthRequest(BaseModel):
    ask: str = Field(min_length=1)
    resource: ResourceRef
    alert_history_since_hours: float = Field(24, ge=0)
    alert_history: bool = True
    stored_instructions: bool = True
    instructions: list[str] = Field(default_factory=list)
    include_tool_calls: bool = False
    include_tool_call_results: bool = False
    prompt_template: str = WORKLOAD_TEMPLATE
    model: ModelName = None


class WorkloadHealthResultRef(BaseModel):
    analysis: str | None = None
    tools: list[Any] | None = None


class WorkloadHealthChatRequest(ChatRequest):
    workload_health_result: WorkloadHealthResultRef
    resource: ResourceRef


# -- requests -> issues -----------------------------------------------------------------------------


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items() if v is not None} if isinstance(value, Mapping) else {}


def investigate_issue(request: InvestigateRequest) -> Issue:
    context = request.context
    labels = {**_strings(request.subject.labels), **_strings(context.get("labels"))}
    annotations = _strings(context.get("annotations"))
    # Other plain values of the context (issue_type, cluster, ...) travel with the alert as annotations.
    for key, value in context.items():
        if key not in ("labels", "annotations") and isinstance(value, str | int | float | bool):
            annotations.setdefault(key, str(value))
    runbooks = [annotations[key] for key in ("runbook_url", "runbook") if annotations.get(key)]
    issue_id = context.get("robusta_issue_id") or context.get("issue_id")
    return Issue(
        title=request.title,
        description=request.description,
        source=request.source,
        subject=request.subject.to_subject(),
        labels=labels,
        annotations=annotations,
        starts_at=str(context["starts_at"]) if context.get("starts_at") else None,
        issue_id=str(issue_id) if issue_id else None,
        runbook_urls=tuple(runbooks),
    )


def workload_issue(resource: ResourceRef, ask: str, title: str | None = None) -> Issue:
    subject = resource.to_subject()
    what = f"{subject.kind or 'workload'} {subject.name}" if subject.name else "the workload"
    return Issue(
        title=title or f"Health check of {what}",
        description=ask,
        source="workload_health_check",
        subject=subject,
        labels=_strings(resource.labels),
    )


# -- running ----------------------------------------------------------------------------------------


@dataclass
class ToolCallRecord:
    """One tool call as HolmesGPT reports it."""

    tool_call_id: str
    tool_name: str
    description: str
    status: str = "running"
    result: ToolResult | None = None

    def public(self, include_result: bool) -> dict[str, Any]:
        return {
            "tool_call_id": self.tool_call_id,
            "tool_name": self.tool_name,
            "description": self.description,
            "status": self.status,
            "result": tool_result_public(self.result) if include_result and self.result is not None else None,
        }


def tool_result_public(result: ToolResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "data": result.text or None,
        "error": result.error,
        "params": dict(result.params),
        "invocation": result.label,
    }


ToolListener = Callable[[str, ToolCallRecord], None]  # ("start" | "result", record)

"""HolmesGPT-compatible API requests (seed 004's fields) and their mapping to an `Issue`: kept apart from the
engine so the router's import (and a Lambda's cold start) does not load the analyzer and the agent."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aisre.investigations.model.evidence import Issue, Subject, ToolResult
from aisre.investigations.model.holmes_conversation import ChatMessage, history_starts_with_system

GENERIC_TEMPLATE = "builtin://generic_investigation.jinja2"
WORKLOAD_TEMPLATE = "builtin://kubernetes_workload_ask.jinja2"

_NAMING_KEYS = ("pod", "deployment", "statefulset", "daemonset", "job", "node")

# Which engine answers: a name GET /api/model lists; none, the configured model (else the analyzer); any other, 400.
ModelName = Annotated[
    str | None,
    Field(description="A model GET /api/model lists (aisre-analyzer: the deterministic analyzer); none: the default"),
]


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


class ResourceRef(BaseModel):
    """The object an issue or a health check is about; `pod: name`-style keys are accepted too. HolmesGPT takes
    any object here, so values of another type are read as text where they can be, and left out where not."""

    model_config = ConfigDict(extra="allow")

    name: str | None = None
    namespace: str | None = None
    kind: str | None = None
    node: str | None = None
    container: str | None = None
    labels: dict[str, str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _as_text(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for key in ("name", "namespace", "kind", "node", "container"):
            if key in data:
                data[key] = _text(data[key])
        if "labels" in data:
            labels = data["labels"]
            data["labels"] = (
                {str(k): text for k, v in labels.items() if (text := _text(v)) is not None}
                if isinstance(labels, Mapping)
                else None
            )
        return data

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


class ToolDecision(BaseModel):
    """A caller's decision on a tool call that waited for approval (HolmesGPT 0.45's `ToolApprovalDecision`)."""

    model_config = ConfigDict(extra="allow")  # save_prefixes, feedback, decision, verified: HolmesGPT's own

    tool_call_id: str
    approved: bool


# Tool approval: the platform's tools only read, so no call ever waits for one; the approvals of issue #12 will
# back these fields when a tool that writes exists.
_NO_APPROVAL = "no tool call waits for approval: the platform's tools only read (approvals, issue #12, will back this)"
_APPROVAL = f"Accepted; {_NO_APPROVAL}, so pending_approvals stays empty"
_NO_FRONTEND = "the platform calls no tool of the client's: its own tools answer"

# Fields a HolmesGPT client may send that change nothing here, and why: the answer's metadata lists those a
# request gave (`not_applied`), so that nothing is dropped without a word.
_NEVER_APPLIED = {
    "tool_decisions": _NO_APPROVAL,
    "frontend_tools": _NO_FRONTEND,
    "frontend_tool_results": _NO_FRONTEND,
    "images": "no engine here reads images",
    "behavior_controls": "HolmesGPT's prompt components have no counterpart here",
}
_NOT_APPLIED_BY_ANALYZER = {
    "additional_system_prompt": "the deterministic analyzer takes no instructions (a language model does)",
    "response_format": "the deterministic analyzer answers in text only (a language model is asked for the format)",
}


class ChatRequestBase(BaseModel):
    """The fields every HolmesGPT chat route takes (HolmesGPT 0.45's `ChatRequestBaseModel`, and `ask`)."""

    ask: str = Field(min_length=1, description="The question")
    conversation_history: list[ChatMessage] | None = Field(
        None,
        description="The conversation so far, system message first: a chat route's returned history, sent back. "
        "`content` may be text or a list of parts (text parts are read); `developer` messages are instructions",
    )
    model: ModelName = None
    stream: bool = Field(
        False,
        description="/api/chat: answer as server-sent events. The other chat routes answer JSON, as HolmesGPT's do",
    )
    enable_tool_approval: bool | None = Field(False, description=_APPROVAL)
    tool_decisions: list[ToolDecision] | None = Field(None, description=_APPROVAL)
    frontend_tools: list[dict[str, Any]] | None = Field(None, description=f"Accepted, not used: {_NO_FRONTEND}")
    frontend_tool_results: list[dict[str, Any]] | None = Field(None, description=f"Accepted, not used: {_NO_FRONTEND}")
    additional_system_prompt: str | None = Field(
        None, description="More instructions for the language model, this turn; the analyzer does not read them"
    )

    _history = field_validator("conversation_history")(history_starts_with_system)

    def not_applied(self, with_model: bool) -> list[dict[str, str]]:
        """The fields this request gave that change nothing for the engine answering it, each with why."""
        reasons = {**_NEVER_APPLIED, **({} if with_model else _NOT_APPLIED_BY_ANALYZER)}
        return [
            {"field": name, "reason": reason}
            for name, reason in reasons.items()
            if getattr(self, name, None) not in (None, False, "", [], {})
        ]

    def model_instructions(self) -> list[str]:
        """What a language model is told this turn beyond our system prompt."""
        return [self.additional_system_prompt] if self.additional_system_prompt else []


class ChatRequest(ChatRequestBase):
    images: list[str | dict[str, Any]] | None = Field(
        None, description="Accepted, not read: no engine of the platform looks at images (metadata.not_applied)"
    )
    response_format: dict[str, Any] | None = Field(
        None,
        description="A JSON schema (OpenAI's response_format) the language model is told to answer in, `analysis` "
        "then being its JSON text; the analyzer answers in text (metadata.not_applied)",
    )
    behavior_controls: dict[str, bool] | None = Field(
        None, description="Accepted, not read: HolmesGPT's prompt components have no counterpart here"
    )

    def model_instructions(self) -> list[str]:
        told = super().model_instructions()
        if self.response_format:
            schema = self.response_format.get("json_schema", self.response_format)
            told.append(
                "Answer with one JSON object and nothing else (no Markdown, no code fence), following this "
                f"response format:\n{json.dumps(schema, sort_keys=True)}"
            )
        return told


class InvestigationResultRef(BaseModel):
    result: str | None = None
    tools: list[Any] | None = None


class IssueChatRequest(ChatRequestBase):
    investigation_result: InvestigationResultRef
    issue_type: str


class WorkloadHealthRequest(BaseModel):
    ask: str = Field(min_length=1)
    resource: ResourceRef
    alert_history_since_hours: float = Field(24, description="Accepted, not read yet: the workload's earlier alerts")
    alert_history: bool = Field(True, description="Accepted, not read yet: the workload's earlier alerts")
    # HolmesGPT's models spell it `stored_instrucitons`, so its clients send that; both spellings are read.
    stored_instrucitons: bool | None = Field(None, description="HolmesGPT's spelling of stored_instructions")
    stored_instructions: bool | None = Field(
        None,
        description="Add the platform's stored instructions to `instructions`: the runbooks of its catalog that the "
        "findings call for. Default true; wins over `stored_instrucitons` when both are given",
    )
    instructions: list[str] | None = Field(default_factory=list, description="Returned first in `instructions`")
    include_tool_calls: bool = False
    include_tool_call_results: bool = False
    prompt_template: str = WORKLOAD_TEMPLATE
    model: ModelName = None

    @property
    def use_stored_instructions(self) -> bool:
        for value in (self.stored_instructions, self.stored_instrucitons):
            if value is not None:
                return value
        return True


class WorkloadHealthResultRef(BaseModel):
    analysis: str | None = None
    tools: list[Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _result_is_analysis(cls, data: Any) -> Any:
        # HolmesGPT reads an earlier check's `result` as its `analysis` when `analysis` is missing.
        if isinstance(data, dict) and "result" in data and "analysis" not in data:
            data = {**data, "analysis": data["result"]}
            data.pop("result")
        return data

    @property
    def conclusion(self) -> str | None:
        """The earlier check's conclusion in words: a health check's `analysis` is HolmesGPT's JSON verdict."""
        try:
            verdict = json.loads(self.analysis or "")
        except (ValueError, RecursionError):  # not JSON (a text answer), or nested past the parser's depth
            return self.analysis
        if not isinstance(verdict, dict) or not isinstance(verdict.get("root_cause_summary"), str):
            return self.analysis
        healthy = verdict.get("workload_healthy")
        state = "healthy" if healthy is True else "not healthy" if healthy is False else "of unknown health"
        return f"The workload was {state}. {verdict['root_cause_summary']}"


class WorkloadHealthChatRequest(ChatRequestBase):
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
        """HolmesGPT's `ToolCallResult`: its `result` is required there, so it is always given; without
        `include_result` it says how the call ended (status, params) but not what the tool answered."""
        return {
            "tool_call_id": self.tool_call_id,
            "tool_name": self.tool_name,
            "description": self.description,
            "status": public_status(self.status),
            "result": self.result_public(include_result),
        }

    def streamed(self) -> dict[str, Any]:
        """A `tool_calling_result` event's data, as HolmesGPT 0.45 streams it (`name` is its older key)."""
        return {
            "tool_call_id": self.tool_call_id,
            "tool_name": self.tool_name,
            "name": self.tool_name,
            "role": "tool",
            "description": self.description,
            "status": public_status(self.status),
            "result": self.result_public(include_data=True),
        }

    def result_public(self, include_data: bool) -> dict[str, Any]:
        if self.result is None:  # a call that never finished (the run failed under it): no answer to tell
            unfinished = ToolResult(self.tool_name, {}, "error", error="the tool call did not finish")
            return {**tool_result_public(unfinished), "invocation": self.description}
        public = tool_result_public(self.result)
        if not include_data:
            public.update(data=None, error=None)
        return public


# The tool-result shape HolmesGPT's clients know (its StructuredToolResult's schema_version).
RESULT_SCHEMA = "robusta:v1.0.0"
# HolmesGPT's tool-result statuses are success, error, no_data (and approval_required, for a call that waits for
# one: none here). A tool the platform cannot run here (`unavailable`: no cluster configured) is an error to
# HolmesGPT's clients, its reason in `error`; the platform keeps its own status inside (evidence, findings).
_PUBLIC_STATUS = {"success": "success", "no_data": "no_data", "error": "error", "unavailable": "error"}


def public_status(status: str) -> str:
    return _PUBLIC_STATUS.get(status, "error")


def tool_result_public(result: ToolResult) -> dict[str, Any]:
    return {
        "schema_version": RESULT_SCHEMA,
        "status": public_status(result.status),
        "data": result.text or None,
        "error": result.error,
        "params": dict(result.params),
        "invocation": result.label,
    }


ToolListener = Callable[[str, ToolCallRecord], None]  # ("start" | "result", record)

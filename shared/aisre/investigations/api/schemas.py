"""Response models of the investigations and HolmesGPT-compatible routes: what those routes send, as it is sent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime
from aisre.investigations.model.investigation import InvestigationStatus

# -- investigations ---------------------------------------------------------------------------------


class InvestigationStarted(BaseModel):
    investigation_id: str
    status: str = Field(description="running | succeeded | failed")
    incident_id: str


class StepPublic(BaseModel):
    name: str
    status: str = Field(description="succeeded | failed")
    started_at: UtcDatetime
    finished_at: UtcDatetime
    error: str | None
    duration_ms: float


class SimilarIncidentPublic(BaseModel):
    id: str
    title: str
    similarity_score: float
    severity: str | None
    state: str | None
    created_at: UtcDatetime | None = Field(description="When the incident opened")
    resolution: str | None = Field(None, description="How it was resolved, once it was")


class SuggestedActionPublic(BaseModel):
    """Seed 001's suggested action as the policy judged it, and the approval asked for it once one is."""

    name: str
    description: str = ""
    arguments: dict[str, Any] = Field(default_factory=dict)
    executable: bool = False
    auto_executable: bool = False
    allowed: bool = False
    approval_required: bool = True
    dry_run: bool = True
    blast_radius: str = Field("unknown", description="none | single_pod | deployment | namespace | cluster")
    policy_name: str = ""
    policy_reason: str = ""
    approval_id: str | None = Field(
        None,
        description="/diagnosis: the approval asked for this action (POST /approvals with its name and arguments, "
        "an execution held for approval, or autonomy), latest first; approve it at /approvals/{id}/approve",
    )
    approval_status: Literal["pending", "approved", "rejected", "expired"] | None = Field(
        None, description="/diagnosis: that approval's status now"
    )


class DiagnosisFinding(BaseModel):
    rule: str
    root_cause: str
    confidence: float
    evidence_lines: list[str]


class DiagnosisPublic(BaseModel):
    incident_id: str
    summary: str
    root_cause: str | None
    confidence: float
    k8s_context: dict[str, Any] = Field(description="pod_status, restart_count, last_termination_reason")
    log_excerpt: str
    evidence_lines: list[str] = Field(default_factory=list, description="The lines the root cause rests on")
    findings: list[DiagnosisFinding] = Field(
        default_factory=list, description="Every conclusion the analyzer reached, most confident first (at most 5)"
    )
    matched_playbooks: list[str]
    similar_incidents: list[SimilarIncidentPublic]
    deploy_correlation: dict[str, Any] | None
    suggested_actions: list[SuggestedActionPublic]
    answer: str
    not_gathered: list[str]
    llm_error: str | None
    investigated_incident_id: str | None = Field(
        None,
        description="/diagnosis: the incident investigated, this one or, when it joined that, its group's root",
    )


class InvestigationPublic(BaseModel):
    id: str
    workspace_id: str
    incident_id: str
    status: InvestigationStatus
    trigger: str
    started_at: UtcDatetime
    finished_at: UtcDatetime | None
    steps: list[StepPublic]
    error: str | None
    tool_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    result: DiagnosisPublic | None
    duration_ms: float | None


class DiagnosisPending(BaseModel):
    """202: an investigation is queued (a storm is being worked through) or still running; ask again."""

    incident_id: str
    investigation_id: str | None = Field(description="null while the investigation is queued")
    status: str = Field(description="queued | running")


class DiagnosisNotInvestigated(BaseModel):
    """404: the incident exists and was never investigated."""

    incident_id: str
    status: str = Field(description="not_investigated")
    detail: str


class SimilarIncidentsResponse(BaseModel):
    incident_id: str
    similar_incidents: list[SimilarIncidentPublic]
    count: int


# -- HolmesGPT-compatible ---------------------------------------------------------------------------
# Each validates against HolmesGPT's own models (tests/contract/test_holmesgpt_compat.py is the referee).


class ToolResultPublic(BaseModel):
    """HolmesGPT's `StructuredToolResult`."""

    schema_version: str = Field(description="robusta:v1.0.0: the tool-result shape HolmesGPT's clients read")
    status: Literal["success", "no_data", "error"] = Field(
        description="HolmesGPT's statuses: a tool the platform cannot run here (no cluster configured) is an error, "
        "its reason in `error`"
    )
    data: str | None = Field(description="What the tool answered; null without include_tool_call_results")
    error: str | None
    params: dict[str, Any]
    invocation: str


class ToolCallPublic(BaseModel):
    """HolmesGPT's `ToolCallResult`."""

    tool_call_id: str
    tool_name: str
    description: str
    status: Literal["success", "no_data", "error"] = Field(description="The result's status")
    result: ToolResultPublic


class UsagePublic(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost_usd: float | None


class FindingPublic(BaseModel):
    rule: str
    root_cause: str
    confidence: float


class NotAppliedPublic(BaseModel):
    field: str = Field(description="A field the request gave")
    reason: str = Field(description="Why it changed nothing")


class RunMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")  # an engine may add its own figures

    engine: str = Field(description="llm | analyzer")
    model: str | None
    llm_error: str | None
    model_configured: bool
    usage: UsagePublic
    findings: list[FindingPublic]
    not_applied: list[NotAppliedPublic] | None = Field(
        None, description="Chat routes: the fields the request gave that changed nothing for the engine, and why"
    )


class HolmesInvestigation(BaseModel):
    """HolmesGPT's `InvestigationResult`."""

    analysis: str
    sections: dict[str, str | None] | None
    tool_calls: list[ToolCallPublic] = Field(description="With include_tool_calls; empty otherwise")
    instructions: list[str]
    metadata: RunMetadata


class WorkloadHealthCheck(HolmesInvestigation):
    """HolmesGPT's health check: an `InvestigationResult` whose `analysis` is its structured verdict as JSON text."""

    analysis: str = Field(
        description='JSON text, as HolmesGPT answers: {"workload_healthy": bool, "root_cause_summary": str}'
    )
    sections: None = Field(description="Always null")
    workload_healthy: bool = Field(
        description="False when the findings show a problem, and when nothing could be read about the workload"
    )
    root_cause_summary: str
    report: str = Field(description="The answer in words (Markdown): findings with their evidence, next steps")


class ConversationMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # the caller's own message fields travel back as they came

    role: str
    content: str | list[dict[str, Any]] | None = None


class PendingApprovalPublic(BaseModel):
    """HolmesGPT's `PendingToolApproval`."""

    tool_call_id: str
    tool_name: str
    description: str
    params: dict[str, Any]


class HolmesChatResponse(BaseModel):
    """HolmesGPT's `ChatResponse`, on /api/chat, /api/issue_chat and /api/workload_health_chat."""

    analysis: str
    conversation_history: list[ConversationMessage] = Field(
        description="System message first (the caller's own, or ours on a first turn), then the turns: send it back "
        "as the next request's conversation_history"
    )
    tool_calls: list[ToolCallPublic]
    follow_up_actions: list[Any]
    pending_approvals: list[PendingApprovalPublic] = Field(
        description="Always empty: the platform's tools only read, so no tool call waits for approval"
    )
    metadata: RunMetadata


class ModelList(BaseModel):
    model_name: list[str] = Field(
        description="The configured language model first (a request naming no model gets it), then aisre-analyzer, "
        "the deterministic analyzer, always there"
    )


class Liveness(BaseModel):
    status: Literal["healthy"]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    models: list[str] = Field(description="What GET /api/model lists; empty when not ready")
    error: str | None = Field(None, description="When not ready: what failed (its class)")


# HolmesGPT's stream events (its StreamEvents): the tool calls as they start and end, then the answer, or an error.
STREAM_EVENTS = ["start_tool_calling", "tool_calling_result", "ai_answer_end", "error"]

STREAM_DESCRIPTION = (
    "Server-sent events: `start_tool_calling` and `tool_calling_result` for each tool call, then `ai_answer_end` "
    "(sections, analysis, instructions, metadata), or `error` (description, error_code, msg, success: false) if the "
    "investigation failed after the stream began."
)
CHAT_STREAM_DESCRIPTION = (
    "JSON, or with `stream: true` server-sent events as HolmesGPT streams a chat: `start_tool_calling` and "
    "`tool_calling_result` for each tool call, then `ai_answer_end` (analysis, conversation_history, "
    "follow_up_actions, metadata), or `error` (description, error_code, msg, success: false)."
)

# One server-sent event (OpenAPI's itemSchema for text/event-stream): its name, and its data as JSON text.
STREAM_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": STREAM_EVENTS},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}

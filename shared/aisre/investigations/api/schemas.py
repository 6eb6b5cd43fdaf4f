"""Response models of the investigations and HolmesGPT-compatible routes: what those routes send, as it is sent."""

from __future__ import annotations

from typing import Any

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


class DiagnosisPublic(BaseModel):
    incident_id: str
    summary: str
    root_cause: str | None
    confidence: float
    k8s_context: dict[str, Any] = Field(description="pod_status, restart_count, last_termination_reason")
    log_excerpt: str
    matched_playbooks: list[str]
    similar_incidents: list[SimilarIncidentPublic]
    deploy_correlation: dict[str, Any] | None
    suggested_actions: list[dict[str, Any]]
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


class ToolResultPublic(BaseModel):
    status: str = Field(description="success | no_data | error | unavailable")
    data: str | None
    error: str | None
    params: dict[str, Any]
    invocation: str


class ToolCallPublic(BaseModel):
    tool_call_id: str
    tool_name: str
    description: str
    status: str
    result: ToolResultPublic | None


class UsagePublic(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost_usd: float | None


class FindingPublic(BaseModel):
    rule: str
    root_cause: str
    confidence: float


class RunMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")  # an engine may add its own figures

    engine: str = Field(description="llm | analyzer")
    model: str | None
    llm_error: str | None
    model_configured: bool
    usage: UsagePublic
    findings: list[FindingPublic]


class HolmesInvestigation(BaseModel):
    analysis: str
    sections: dict[str, str | None] | None
    tool_calls: list[ToolCallPublic] | None = Field(description="With include_tool_calls; null otherwise")
    instructions: list[str]
    metadata: RunMetadata


class ConversationMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # the caller's own message fields travel back as they came

    role: str
    content: str | None = None


class HolmesChatResponse(BaseModel):
    analysis: str
    conversation_history: list[ConversationMessage]
    tool_calls: list[ToolCallPublic]
    follow_up_actions: list[Any]
    metadata: RunMetadata


class WorkloadHealthChatResponse(BaseModel):
    analysis: str
    conversation_history: list[ConversationMessage]
    tool_calls: list[ToolCallPublic]
    metadata: RunMetadata


class ModelList(BaseModel):
    model_name: list[str] = Field(
        description="The configured language model first (a request naming no model gets it), then aisre-analyzer, "
        "the deterministic analyzer, always there"
    )


STREAM_DESCRIPTION = (
    "Server-sent events: `start_tool_calling` and `tool_calling_result` for each tool call, then `ai_answer_end` "
    "(sections, analysis, instructions, metadata), or `error` if the investigation failed after the stream began."
)

# One server-sent event (OpenAPI's itemSchema for text/event-stream): its name, and its data as JSON text.
STREAM_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["start_tool_calling", "tool_calling_result", "ai_answer_end", "error"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}

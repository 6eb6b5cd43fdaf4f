"""Request and response models of /runbooks and /incidents/{id}/runbooks: what those routes take and send."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime

StepKindName = Literal["read", "action", "advice", "manual"]
SourceName = Literal["builtin", "generated", "imported"]


class RunbookStepSpec(BaseModel):
    """A step as data: what a person reads (title, command) and what the platform runs for it, if anything: a
    named read, or a named catalog action (with `arguments` other than its target, which is the incident's)."""

    title: str
    kind: StepKindName = Field(description="read, action (a write), advice (writes nothing) or manual (runs nothing)")
    command: str | None = Field(None, description="For a person: never run")
    read: str | None = Field(None, description="pod_status, deployment_status, deployment_pods or rollout_history")
    action: str | None = Field(
        None, description="restart_pod, scale_deployment, rollback_deployment or suggest_config_fix"
    )
    arguments: dict[str, Any] | None = Field(None, description="replicas (scale_deployment), revision (rollback)")


class RunbookPublic(BaseModel):
    """Seed 001's runbook (`id`, `name`, `steps` as text), and its steps as data (`step_specs`)."""

    id: str
    name: str
    description: str
    steps: list[str] = Field(description="Each step as text: title, command, and what it runs in brackets")
    actions: list[str] = Field(description="The catalog actions its steps name, in order")
    step_specs: list[RunbookStepSpec]
    rules: list[str] = Field(description="Analyzer finding rules it covers")
    alertnames: list[str]
    keywords: list[str]
    services: list[str] = Field(description="Services it was written for (empty: any)")
    source: SourceName
    saved_by: str | None = None
    saved_at: UtcDatetime | None = None
    version: int | None = None


class RunbookList(BaseModel):
    runbooks: list[RunbookPublic]
    count: int


class RunbookMatchPublic(BaseModel):
    runbook_id: str
    name: str
    source: SourceName
    score: float = Field(description="0..1: a finding or the diagnosis' words rank above the alert's words")
    reason: str = Field(description="Why it matched")
    steps: list[str] = Field(description="Its steps filled in for this incident")
    actions: list[str]


class IncidentRunbooks(BaseModel):
    incident_id: str
    runbooks: list[RunbookMatchPublic] = Field(description="Best first")
    count: int


class RunbookGenerate(BaseModel):
    service: str = Field(min_length=1, max_length=253, examples=["payments-api"])
    pattern: str = Field(min_length=1, max_length=100, examples=["oomkilled"])
    min_incidents: int = Field(2, ge=1, le=1000, description="Fewer incidents found than this: 422 saying how many")


class RunbookGenerated(BaseModel):
    """Seed 001's response, and what the draft was made from."""

    pattern: str
    occurrences: int = Field(description="Incidents of the service showing the pattern")
    runbook: RunbookPublic
    source: Literal["generated"] = "generated"
    message: str
    service: str
    first_seen: UtcDatetime | None
    last_seen: UtcDatetime | None
    resolved_by: dict[str, int] = Field(description="Catalog action -> in how many of them it succeeded")


class RunbookDocument(BaseModel):
    """A runbook to save: the `runbook` of /runbooks/generate's answer as it is (or edited). Its `step_specs`,
    when present, are its steps; otherwise `steps`, where a step given as text is an instruction that runs nothing."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(max_length=128, examples=["generated-oomkilled-payments-api"])
    name: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    steps: list[str | dict[str, Any]] = Field(default_factory=list, max_length=30)
    step_specs: list[dict[str, Any]] | None = Field(None, max_length=30)
    rules: list[str] = Field(default_factory=list, max_length=50)
    alertnames: list[str] = Field(default_factory=list, max_length=50)
    keywords: list[str] = Field(default_factory=list, max_length=50)
    services: list[str] = Field(default_factory=list, max_length=50)


class RunbookApprove(BaseModel):
    runbook: RunbookDocument


class RunbookSaved(BaseModel):
    """Seed 001's response. `saved_path` names the item the runbook is kept in: the table, per workspace."""

    ok: bool = True
    runbook_id: str
    saved_path: str = Field(examples=["table://aisre/WS#default#RUNBOOK/RB#generated-oomkilled-payments-api"])
    message: str
    source: SourceName
    version: int


class RunStepPublic(BaseModel):
    index: int = Field(description="From 0, as approvals name it (`runbook_step`)")
    title: str
    kind: StepKindName
    command: str | None
    read: str | None
    action: str | None
    arguments: dict[str, Any] = Field(description="What the read or action ran on: the incident's target")
    status: Literal[
        "pending",
        "running",
        "waiting_approval",
        "succeeded",
        "dry_run",
        "noted",
        "skipped",
        "failed",
        "rejected",
        "expired",
    ]
    output: str | None = Field(description="What a read saw, what an action did")
    reason: str | None = Field(description="Why it waits, was skipped or failed")
    approval_id: str | None
    approval_status: Literal["pending", "approved", "rejected", "expired"] | None = Field(
        None, description="The waiting step's approval, as of now"
    )
    execution_id: str | None
    verified: bool | None
    proposal: dict[str, Any] | None
    attempt: int
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None


class RunbookRunPublic(BaseModel):
    id: str
    workspace_id: str
    incident_id: str
    runbook_id: str
    runbook_name: str
    runbook_source: SourceName
    status: Literal["running", "waiting_approval", "succeeded", "failed", "rejected", "expired"]
    started_by: str
    auto_approve: bool
    dry_run: bool
    current_step: int | None = Field(description="The index of the step it is at (None once finished)")
    waiting_for: str | None = Field(description="waiting_approval: the approval to decide (POST /approvals/{id}/...)")
    steps: list[RunStepPublic]
    started_at: UtcDatetime
    updated_at: UtcDatetime
    finished_at: UtcDatetime | None


class RunbookRunList(BaseModel):
    incident_id: str
    runs: list[RunbookRunPublic] = Field(description="Oldest first")
    count: int

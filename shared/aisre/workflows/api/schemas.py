"""Request and response models of /workflows (seed 001) and /api/v1/workflows (seed 002), as sent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime

STEP_STATUS = Literal[
    "pending", "running", "waiting_approval", "succeeded", "failed", "rejected", "expired", "cancelled", "skipped"
]
RUN_STATUS = Literal["running", "waiting_approval", "succeeded", "failed", "timed_out", "aborted", "unknown"]
NAME_PATTERN = "^[a-z][a-z0-9_-]{0,62}$"


# -- seed 001 ---------------------------------------------------------------------------------------------------


class WorkflowSummary(BaseModel):
    id: str
    name: str
    description: str
    step_count: int
    builtin: bool = Field(description="A built-in workflow (read-only), or a workspace's own (seed 002)")
    workspace_id: str | None = None


class WorkflowCatalog(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "workflows": [
                    {
                        "id": "oom_recovery",
                        "name": "OOMKilled Recovery Workflow",
                        "description": "Multi-step recovery for pods killed by OOM...",
                        "step_count": 5,
                        "builtin": True,
                    }
                ],
                "count": 1,
            }
        }
    )

    workflows: list[WorkflowSummary]
    count: int


class WorkflowExecute(BaseModel):
    """Seed 001's body: the run's context (the fields its steps read: namespace, pod_name, deployment_name...)
    and whether it is a dry run (every read and policy check, no write and no approval: the default)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "context": {
                    "namespace": "production",
                    "pod_name": "payments-api-7d8f9c6b5-x2k4m",
                    "deployment_name": "payments-api",
                    "service": "payments-api",
                },
                "dry_run": True,
            }
        }
    )

    context: dict[str, Any] = Field(default_factory=dict, description="Fields the steps read when not in their config")
    dry_run: bool = Field(True, description="Reads and policy checks only: no approval is asked, nothing is written")
    incident_id: str | None = Field(
        None, max_length=128, description="The incident it is for: its actions go on the incident's timeline"
    )


class RunStarted(BaseModel):
    run_id: str
    workflow_id: str
    workflow_name: str
    status: RUN_STATUS
    dry_run: bool
    context: dict[str, Any]
    incident_id: str | None = None
    started_at: UtcDatetime
    status_url: str = Field(description="GET it for each step's status and output")


class UndoPublic(BaseModel):
    action: str
    arguments: dict[str, Any]
    status: STEP_STATUS
    output: dict[str, Any] | None = None
    error: str | None = None
    message: str | None = None


class StepRun(BaseModel):
    name: str
    step_type: str
    status: STEP_STATUS
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    attempts: int = Field(0, description="Invocations of its Task, retries included")
    output: dict[str, Any] | None = Field(None, description="What the step read or did (an action's result)")
    error: str | None = None
    message: str | None = None
    approval_id: str | None = Field(None, description="A write's approval: approve or reject it at /approvals/{id}")
    approved_by: str | None = None
    compensation: UndoPublic | None = Field(None, description="How the step's write was undone when the run failed")


class RunStatusPublic(BaseModel):
    run_id: str
    workflow_id: str
    workflow_name: str
    status: RUN_STATUS
    dry_run: bool
    context: dict[str, Any]
    incident_id: str | None = None
    started_by: str
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    steps: list[StepRun]
    error: str | None = Field(
        None, description="A failed run: ApprovalRejected, ApprovalExpired, PolicyRefusedError..."
    )
    message: str | None = None
    compensated: bool | None = Field(None, description="A failed run: whether every write that could be undone was")
    history_truncated: bool = False


# -- seed 002 ---------------------------------------------------------------------------------------------------


class StepCreate(BaseModel):
    """Seed 002's step: a step type of the catalog, its config (the fields it takes; the run's context gives the
    rest), its place (`order`, or `depends_on`: the steps it waits for)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"name": "scale_up", "step_type": "scale_deployment", "order": 2, "config": {"replicas": "+1"}}
        }
    )

    name: str = Field(min_length=1, max_length=63, description="Unique in the workflow: lowercase, digits, - and _")
    step_type: str = Field(
        min_length=1,
        max_length=64,
        description="inspect_pod, inspect_deployment, check_deployment, restart_pod, scale_deployment, "
        "rollback_deployment or suggest_config_fix",
    )
    order: int | None = Field(
        None, ge=0, le=10_000, description="Steps run by order, equal orders side by side; default: after the last"
    )
    config: dict[str, Any] = Field(default_factory=dict, description="The step type's fields (namespace, replicas...)")
    depends_on: list[str] | None = Field(
        None, max_length=40, description="The steps it waits for; null: those of the next lower order; []: none"
    )
    agent_id: str | None = Field(None, max_length=128, description="Kept as given; no agent runs a step here")
    description: str = Field("", max_length=2000)


class WorkflowCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    is_template: bool = False
    config: dict[str, Any] = Field(default_factory=dict, description="Kept as given (at most 16 KiB)")
    steps: list[StepCreate] = Field(default_factory=list, max_length=40, description="Steps to start with (optional)")


class StepPublic(BaseModel):
    name: str
    step_type: str
    order: int
    config: dict[str, Any]
    depends_on: list[str] | None
    after: list[str] = Field(description="The steps it waits for, as the workflow runs it")
    agent_id: str | None = None
    description: str = ""


class WorkflowPublic(BaseModel):
    id: str
    name: str
    description: str
    builtin: bool
    workspace_id: str | None
    is_template: bool
    config: dict[str, Any]
    steps: list[StepPublic]
    step_count: int
    created_by: str | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    version: int


class WorkflowDetail(WorkflowPublic):
    definition: dict[str, Any] = Field(
        description="The Amazon States Language definition it runs as (built-ins: with the template's placeholders)"
    )


class WorkflowList(BaseModel):
    workflows: list[WorkflowPublic]
    count: int


class WorkflowDeleted(BaseModel):
    id: str
    deleted: bool

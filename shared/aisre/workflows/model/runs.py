"""A workflow run: the record kept of it (who started what, with which context, as which execution) and what its
status shows (each step with its status and output, the compensation, the run's outcome)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisre.workflows.model.definition import WorkflowStep


class RunStatus(StrEnum):
    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    ABORTED = "aborted"
    # The execution is no longer known to Step Functions (the local emulator restarted, or it aged out).
    UNKNOWN = "unknown"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.ABORTED)


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"  # its approval was rejected
    EXPIRED = "expired"  # nobody decided its approval in time
    CANCELLED = "cancelled"  # started, then the run ended (another branch failed)
    SKIPPED = "skipped"  # never reached: the run ended before it


class WorkflowRun(BaseModel):
    """What is stored when a run starts: enough to read its status even once its definition changed."""

    id: str
    workspace_id: str
    workflow_id: str
    workflow_name: str
    builtin: bool
    steps: tuple[WorkflowStep, ...]
    state_machine_arn: str
    execution_arn: str
    principal: str
    dry_run: bool
    context: dict[str, Any] = Field(default_factory=dict)
    incident_id: str | None = None
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    # The status view once the run finished, so that it stays readable without Step Functions.
    final: dict[str, Any] | None = None

    def execution_input(self, approval_timeout_seconds: int) -> dict[str, Any]:
        """The state machine's input: the run (trusted: only the workflows function starts executions) and the
        context every step reads its fields from."""
        return {
            "run": {
                "run_id": self.id,
                "workspace_id": self.workspace_id,
                "workflow_id": self.workflow_id,
                "principal": self.principal,
                "dry_run": self.dry_run,
                "incident_id": self.incident_id,
                "approval_timeout_seconds": approval_timeout_seconds,
            },
            "context": self.context,
        }


class UndoView(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: str
    arguments: dict[str, Any]
    status: StepStatus
    output: dict[str, Any] | None = None
    error: str | None = None
    message: str | None = None


class StepView(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    step_type: str
    status: StepStatus
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    output: dict[str, Any] | None = None
    error: str | None = None
    message: str | None = None
    approval_id: str | None = None
    approved_by: str | None = None
    compensation: UndoView | None = None


class RunView(BaseModel):
    status: RunStatus
    started_at: datetime | None = None
    finished_at: datetime | None = None
    steps: list[StepView] = Field(default_factory=list)
    error: str | None = None
    message: str | None = None
    compensated: bool | None = None  # a failed run: whether everything that could be undone was
    history_truncated: bool = False

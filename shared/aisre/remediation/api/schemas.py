"""Request and response models of /actions and /approvals: what those routes take and send, as sent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime

NAME_LENGTH = 253
TEXT_LENGTH = 32_768


class ActionTarget(BaseModel):
    """Seed 001's body: the action and its target. Text fields default to "", as in the seed; what an action
    does not take is ignored. `replicas` has no default: scaling to 1 by omission would be a bad surprise."""

    model_config = ConfigDict(extra="ignore")

    action: str = Field(
        min_length=1,
        max_length=64,
        description="restart_pod, scale_deployment, rollback_deployment or suggest_config_fix",
        examples=["restart_pod"],
    )
    namespace: str = Field("", description="Kubernetes namespace of the target", max_length=NAME_LENGTH)
    pod_name: str = Field("", description="restart_pod: the pod", max_length=NAME_LENGTH)
    deployment_name: str = Field(
        "", description="scale_deployment, rollback_deployment: the deployment", max_length=NAME_LENGTH
    )
    replicas: int | None = Field(None, ge=0, le=100_000, description="scale_deployment: the replica count wanted")
    revision: int | None = Field(
        None, ge=1, le=2**31 - 1, description="rollback_deployment: the revision (default: the previous one)"
    )
    component: str = Field("", description="suggest_config_fix: the component", max_length=NAME_LENGTH)
    issue: str = Field("", description="suggest_config_fix: what is wrong", max_length=TEXT_LENGTH)
    current_spec: str = Field("", description="suggest_config_fix: the spec as it is (YAML)", max_length=TEXT_LENGTH)
    incident_id: str | None = Field(
        None,
        max_length=128,
        description="The incident this action is for: it is then on its timeline, /actions and /activity",
    )


class ActionExecute(ActionTarget):
    dry_run: bool = Field(True, description="Every check and read, no write")
    approved: bool = Field(False, description="Explicit operator approval (the caller's own)")


class VerificationPublic(BaseModel):
    verified: bool
    observed: str = Field(description="What the last read showed")
    waited_seconds: float
    reads: int


class ConfigProposalPublic(BaseModel):
    summary: str
    diff: str = Field(description="A unified diff of the spec; empty when nothing mechanical was found")
    applied: Literal[False] = False


class ActionResult(BaseModel):
    """Seed 001's response (status, action, message, the target's fields), and what the platform adds."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "status": "dry_run",
                "action": "restart_pod",
                "message": "Would delete pod payments-api-7d8f9c6b5-x2k4m in namespace production",
                "namespace": "production",
                "pod_name": "payments-api-7d8f9c6b5-x2k4m",
                "dry_run": True,
            }
        }
    )

    status: Literal["dry_run", "success", "pending_approval", "failed"]
    action: str
    message: str
    namespace: str | None = None
    pod_name: str | None = None
    deployment_name: str | None = None
    replicas: int | None = None
    revision: int | None = None
    component: str | None = None
    issue: str | None = None
    current_spec: str | None = None
    dry_run: bool | None = None
    execution_id: str | None = Field(None, description="The execution record (GET /actions/executions/{id})")
    approval_id: str | None = Field(None, description="pending_approval: approve it at /approvals/{id}/approve")
    incident_id: str | None = None
    approval_required: bool | None = None
    policy_name: str | None = None
    policy_reason: str | None = None
    verified: bool | None = Field(None, description="After a write: the target was healthy again within the bound")
    verification: VerificationPublic | None = None
    details: dict[str, Any] | None = None
    proposal: ConfigProposalPublic | None = None
    replayed: bool | None = Field(None, description="The outcome of an earlier run of the same request")


class ExecutionPublic(BaseModel):
    id: str
    workspace_id: str
    status: Literal["running", "succeeded", "failed"]
    action: str
    arguments: dict[str, Any]
    incident_id: str | None
    approval_id: str | None
    principal: str
    attempt: int
    started_at: UtcDatetime
    finished_at: UtcDatetime | None
    outcome: ActionResult | None


class ExecutionList(BaseModel):
    executions: list[ExecutionPublic]
    count: int


# -- approvals ----------------------------------------------------------------------------------------------


class ApprovalCreate(ActionTarget):
    """An action to approve: the fields of /actions/execute, or a diagnosis' suggested action as it is shown
    (`arguments`, with `incident_id`); `note` says why."""

    action: str = Field(min_length=1, max_length=64, examples=["rollback_deployment"])
    arguments: dict[str, Any] | None = Field(
        None, description="A suggested action's arguments as the diagnosis shows them (instead of the fields)"
    )
    note: str | None = Field(None, max_length=2000)
    dry_run: bool = Field(
        False, description="Approve a rehearsal: approving runs every check and read the action makes, writes nothing"
    )


class ApprovalDecision(BaseModel):
    comment: str | None = Field(None, max_length=2000)


class ApprovalPublic(BaseModel):
    id: str
    workspace_id: str
    status: Literal["pending", "approved", "rejected", "expired"]
    action: str
    arguments: dict[str, Any]
    incident_id: str | None
    source: Literal["execute", "request", "suggestion", "runbook", "workflow"]
    suggestion_key: str | None = Field(description="Matches a diagnosis' suggested action (name and arguments)")
    reason: str = Field(description="Why a person must decide: the policy's reason")
    policy_name: str
    requested_by: str
    requested_at: UtcDatetime
    expires_at: UtcDatetime
    note: str | None
    decided_by: str | None
    decided_at: UtcDatetime | None
    comment: str | None
    execution_id: str | None
    dry_run: bool = Field(False, description="A rehearsal was asked for: approving it writes nothing")
    runbook_run_id: str | None = Field(
        None, description="A runbook run's write step asked for it: deciding it carries the run on"
    )
    runbook_step: int | None = Field(None, description="The step's index in the run (from 0)")
    workflow_run_id: str | None = Field(
        None, description="source workflow: the run waiting for this approval (GET /workflows/{run_id}/status)"
    )
    workflow_step: str | None = Field(None, description="source workflow: the step whose write it approves")


class ApprovalDetail(ApprovalPublic):
    execution: ExecutionPublic | None = Field(description="What approving it did, once it was approved")


class ApprovalList(BaseModel):
    approvals: list[ApprovalPublic]
    count: int
    next_cursor: str | None = None


class WorkflowResumption(BaseModel):
    """A workflow step's approval decided: whether its waiting run was resumed."""

    run_id: str
    step: str
    resumed: bool = Field(description="False: the run no longer waited (it timed out or ended)")
    message: str


class ApprovalApproved(BaseModel):
    approval: ApprovalPublic
    result: ActionResult | None = Field(
        None, description="What carrying it out did; absent for a workflow's approval, whose run carries it out"
    )
    workflow: WorkflowResumption | None = Field(None, description="A workflow's approval: its run resumed")


class ApprovalRejected(BaseModel):
    approval: ApprovalPublic
    workflow: WorkflowResumption | None = Field(None, description="A workflow's approval: its run told (it fails)")

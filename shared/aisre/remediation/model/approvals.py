"""Approval requests (seed 002 "Approvals"): who asked for which action, why a person must decide, who decided,
and when the request lapses. Decided once: pending -> approved | rejected, or expired when nobody decided."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisre.remediation.errors import ApprovalDecidedError, SelfApprovalError


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class ApprovalSource(StrEnum):
    EXECUTE = "execute"  # /actions/execute of an action whose policy needs approval
    REQUEST = "request"  # POST /approvals
    SUGGESTION = "suggestion"  # POST /approvals for a diagnosis' suggested action (suggestion_key)
    RUNBOOK = "runbook"  # a write step of a runbook run (runbook_run_id, runbook_step): deciding it carries the run on
    WORKFLOW = "workflow"  # a workflow step's write, its run waiting on a task token (WorkflowGate)


class WorkflowGate(BaseModel):
    """A workflow run waiting for this approval: Step Functions' task token of its waiting step. Approving sends
    SendTaskSuccess (the run then carries the action out under this approval, once), rejecting SendTaskFailure."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    step: str
    task_token: str


class Approval(BaseModel):
    id: str
    workspace_id: str
    status: ApprovalStatus = ApprovalStatus.PENDING
    action: str
    arguments: dict[str, Any]
    incident_id: str | None = None
    source: ApprovalSource = ApprovalSource.REQUEST
    suggestion_key: str | None = None
    reason: str = ""  # why a person must decide (the policy's)
    policy_name: str = ""
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    note: str | None = None  # the requester's words
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None  # the decider's words
    execution_id: str | None = None
    # Asked for a rehearsal: approving it runs every check and read the action makes, and writes nothing.
    dry_run: bool = False
    # A runbook run's write step asked for it: the run waits on it, and its decision carries the run on.
    runbook_run_id: str | None = None
    runbook_step: int | None = None
    # A workflow step's write asked for it: the run waits on the task token, which its decision resumes.
    workflow_run_id: str | None = None
    workflow_step: str | None = None
    # Resumes the waiting run: stored, never shown (excluded from every dump of the model).
    task_token: str | None = Field(None, exclude=True, repr=False)

    def status_at(self, now: datetime) -> ApprovalStatus:
        """Its status as of `now`: a pending request past its expiry has expired, whether or not the item says so."""
        if self.status is ApprovalStatus.PENDING and now >= self.expires_at:
            return ApprovalStatus.EXPIRED
        return self.status


def check_decision(
    approval: Approval, principal: str, now: datetime, *, require_distinct: bool, authenticated: bool
) -> None:
    """Raise unless `principal` may decide `approval` now. Dev mode (no keys) has a single anonymous principal,
    so distinctness cannot be told there and is not required."""
    status = approval.status_at(now)
    if status is ApprovalStatus.EXPIRED:
        raise ApprovalDecidedError(
            f"approval {approval.id} expired at {approval.expires_at.isoformat()}",
            details={"status": status.value},
        )
    if status is not ApprovalStatus.PENDING:
        raise ApprovalDecidedError(
            f"approval {approval.id} was already {status.value} by {approval.decided_by}",
            details={"status": status.value, "decided_by": approval.decided_by},
        )
    if require_distinct and authenticated and principal == approval.requested_by:
        raise SelfApprovalError(
            f"{principal} asked for approval {approval.id} and cannot decide it (APPROVAL_REQUIRE_DISTINCT)",
            details={"requested_by": approval.requested_by},
        )


class RunbookStepRef(BaseModel):
    """The runbook run step an approval (or an action that may ask for one) is for."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    step: int


class Resumption(BaseModel):
    """What deciding a workflow step's approval did to its run: resumed it (SendTaskSuccess or SendTaskFailure), or
    found it no longer waiting (it timed out or ended)."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    step: str
    resumed: bool
    message: str


def gate_approval_id(workspace_id: str, run_id: str, step: str) -> str:
    """A workflow step's approval id, the same however often the step asks (its Task retried)."""
    digest = hashlib.sha256(f"{workspace_id}\n{run_id}\n{step}".encode()).hexdigest()
    return f"apr-{digest[:12]}"


class ApprovalPage(BaseModel):
    items: list[Approval] = Field(default_factory=list)
    cursor: str | None = None


class SuggestionApproval(BaseModel):
    """The approval asked for a diagnosis' suggested action, as the diagnosis shows it beside the suggestion."""

    model_config = ConfigDict(frozen=True)

    approval_id: str
    status: ApprovalStatus


def approvals_by_suggestion(approvals: Iterable[Approval], now: datetime) -> dict[str, SuggestionApproval]:
    """suggestion_key -> the latest approval asked for it, its status as of `now`; `approvals` oldest first.
    Every approval of an incident's action carries the key (model/requests.py `suggestion_key`), whoever asked
    and however (POST /approvals, an execute that needed approval, autonomy), so each one links."""
    found: dict[str, SuggestionApproval] = {}
    for approval in approvals:
        if approval.suggestion_key:
            found[approval.suggestion_key] = SuggestionApproval(approval_id=approval.id, status=approval.status_at(now))
    return found

"""A runbook run: a runbook's steps carried out in order on one incident, each through what it names (a read, a
catalog action under the policy and an approval, or nothing: text for a person), and the run's state as it goes.

Pure: planning a run (each step's target taken from the incident, never from the runbook's text), and the
transitions the service makes under a versioned write: claim a step, record what came of it, and what that
means for the run (a write that failed, was rejected or expired ends it; a read that failed does not).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from aisre.core.errors import ValidationError
from aisre.incidents.model.incident import Incident
from aisre.remediation.model.approvals import ApprovalStatus
from aisre.remediation.model.requests import action_request
from aisre.remediation.model.runbook_reads import READS, bounded
from aisre.remediation.model.runbooks import Runbook, RunbookStep, StepKind, placeholder_values, render_command


class RunStatus(StrEnum):
    RUNNING = "running"  # steps are left: this request, the next decision or a resume carries it on
    WAITING_APPROVAL = "waiting_approval"  # a write step waits for a person (its approval_id)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a write step failed or was refused: the steps after it did not run
    REJECTED = "rejected"
    EXPIRED = "expired"


FINISHED = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.REJECTED, RunStatus.EXPIRED})


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"  # claimed by one request (until lease_until)
    WAITING_APPROVAL = "waiting_approval"
    SUCCEEDED = "succeeded"
    DRY_RUN = "dry_run"  # a write step of a dry run: every check and read, no write
    NOTED = "noted"  # text for a person: shown with its command filled in, nothing run
    SKIPPED = "skipped"  # the incident does not name what the step needs, or the run ended before it
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"


STEP_DONE = frozenset(StepStatus) - {StepStatus.PENDING, StepStatus.RUNNING, StepStatus.WAITING_APPROVAL}
_ENDS_RUN = {StepStatus.REJECTED: RunStatus.REJECTED, StepStatus.EXPIRED: RunStatus.EXPIRED}


class RunStep(BaseModel):
    index: int
    title: str
    kind: StepKind
    command: str | None = None  # rendered for the incident; for a person, never run
    read: str | None = None
    action: str | None = None
    # The read's or the action's arguments, the target being the incident's (`skip_reason` when it names none).
    arguments: dict[str, Any] = Field(default_factory=dict)
    skip_reason: str | None = None
    status: StepStatus = StepStatus.PENDING
    attempt: int = 0
    started_at: datetime | None = None
    lease_until: datetime | None = None
    finished_at: datetime | None = None
    output: str | None = None  # what a read saw, what an action did
    reason: str | None = None  # why it waits, was skipped or failed
    approval_id: str | None = None
    execution_id: str | None = None
    verified: bool | None = None
    proposal: dict[str, Any] | None = None  # advice: the proposed change (summary, diff)
    # Read-time only (not stored): the waiting step's approval as of now.
    approval_status: ApprovalStatus | None = None


class RunbookRun(BaseModel):
    id: str
    workspace_id: str
    incident_id: str
    runbook_id: str
    runbook_name: str
    runbook_source: str
    started_by: str
    auto_approve: bool = False
    dry_run: bool = False
    status: RunStatus = RunStatus.RUNNING
    steps: list[RunStep]
    cursor: int = 0  # the first step not done
    version: int = 1
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    idempotency_key: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def current(self) -> RunStep | None:
        return self.steps[self.cursor] if self.cursor < len(self.steps) else None


@dataclass(frozen=True)
class StepResult:
    """What came of one step."""

    status: StepStatus
    output: str | None = None
    reason: str | None = None
    approval_id: str | None = None
    execution_id: str | None = None
    verified: bool | None = None
    proposal: dict[str, Any] | None = None


RUN_ID = re.compile(r"^rbr-[0-9a-f]{16}$")


def new_run_id(workspace_id: str, incident_id: str, principal: str, idempotency_key: str | None) -> str:
    """Random, or derived from an Idempotency-Key so that the same request again finds the same run."""
    if idempotency_key is None:
        return f"rbr-{secrets.token_hex(8)}"
    digest = hashlib.sha256("\n".join((workspace_id, incident_id, principal, idempotency_key)).encode()).hexdigest()
    return f"rbr-{digest[:16]}"


# The incident's names each action's target fields come from (request fields of model/requests.py).
_TARGET_FIELDS = {"namespace": "namespace", "pod_name": "pod", "deployment_name": "deployment"}


def _action_arguments(step: RunbookStep, incident: Incident, names: Mapping[str, str]) -> dict[str, Any]:
    """The step's action on the incident's own target: its fields from the incident, the step's stated arguments
    (replicas, revision), validated against the catalog (ValidationError says what is missing)."""
    fields: dict[str, Any] = {field: names.get(name) for field, name in _TARGET_FIELDS.items()}
    fields.update(step.arguments)
    if step.kind is StepKind.ADVICE:
        component = names.get("deployment") or names.get("service") or names.get("pod")
        fields.update(component=component, issue=bounded(incident.title, 2000), current_spec="")
    assert step.action is not None
    return action_request(step.action, fields, incident_id=incident.id).arguments


# What a missing action field means on a runbook step: the incident's names, or the step's stated arguments.
_FROM_INCIDENT = {"namespace": "namespace", "pod_name": "pod", "deployment_name": "deployment", "component": "workload"}


def _why_not(step: RunbookStep, missing: ValidationError) -> str:
    field = missing.field or ""
    if field in _FROM_INCIDENT and "required" in missing.message:
        return f"the incident names no {_FROM_INCIDENT[field]} for {step.action}"
    if "required" in missing.message:
        return f"the step states no {field} for {step.action} (arguments: {{{field}: ...}})"
    return f"{step.action} cannot run on this incident: {missing.message}"


def _planned(step: RunbookStep, index: int, incident: Incident, names: Mapping[str, str]) -> RunStep:
    planned = RunStep(
        index=index,
        title=step.title,
        kind=step.kind,
        command=render_command(step.command, names) if step.command else None,
        read=step.read,
        action=step.action,
    )
    if step.read is not None:
        missing = [need for need in READS[step.read].needs if need not in names]
        if missing:
            return planned.model_copy(update={"skip_reason": f"the incident names no {' or '.join(missing)}"})
        return planned.model_copy(update={"arguments": {need: names[need] for need in READS[step.read].needs}})
    if step.action is not None:
        try:
            arguments = _action_arguments(step, incident, names)
        except ValidationError as missing:
            return planned.model_copy(update={"skip_reason": _why_not(step, missing)})
        return planned.model_copy(update={"arguments": arguments})
    return planned


def plan_run(
    run_id: str,
    runbook: Runbook,
    source: str,
    incident: Incident,
    principal: str,
    now: datetime,
    *,
    auto_approve: bool,
    dry_run: bool,
    idempotency_key: str | None = None,
) -> RunbookRun:
    """A new run: every step with its command filled in and its target taken from the incident."""
    names = placeholder_values(incident)
    return RunbookRun(
        id=run_id,
        workspace_id=incident.workspace_id,
        incident_id=incident.id,
        runbook_id=runbook.id,
        runbook_name=runbook.name,
        runbook_source=source,
        started_by=principal,
        auto_approve=auto_approve,
        dry_run=dry_run,
        steps=[_planned(step, index, incident, names) for index, step in enumerate(runbook.steps)],
        started_at=now,
        updated_at=now,
        idempotency_key=idempotency_key,
    )


def claim_step(run: RunbookRun, now: datetime, lease: timedelta) -> RunbookRun:
    """The current step, taken by this request until `now + lease` (a request that dies holding it is taken over)."""
    step = run.steps[run.cursor]
    claimed = step.model_copy(
        update={
            "status": StepStatus.RUNNING,
            "attempt": step.attempt + 1,
            "started_at": step.started_at or now,
            "lease_until": now + lease,
        }
    )
    return _with_step(run, claimed, now, status=RunStatus.RUNNING)


def complete_step(run: RunbookRun, result: StepResult, now: datetime) -> RunbookRun:
    """The current step's result, and what it means for the run: the next step, a wait, or the run's end."""
    step = run.steps[run.cursor]
    done = result.status in STEP_DONE
    updated = step.model_copy(
        update={
            "status": result.status,
            "output": result.output,
            "reason": result.reason,
            "approval_id": result.approval_id or step.approval_id,
            "execution_id": result.execution_id or step.execution_id,
            "verified": result.verified,
            "proposal": result.proposal,
            "lease_until": None,
            "started_at": step.started_at or now,
            "finished_at": now if done else None,
        }
    )
    if result.status is StepStatus.WAITING_APPROVAL:
        return _with_step(run, updated, now, status=RunStatus.WAITING_APPROVAL)
    ending = _ENDS_RUN.get(result.status)
    if ending is None and result.status is StepStatus.FAILED and step.kind is StepKind.ACTION:
        ending = RunStatus.FAILED
    run = _with_step(run, updated, now, status=RunStatus.RUNNING, cursor=run.cursor + 1)
    if ending is not None:
        return _end(run, ending, now, f"the run ended at step {step.index + 1} ({result.status.value})")
    if run.cursor >= len(run.steps):
        return run.model_copy(update={"status": RunStatus.SUCCEEDED, "finished_at": now})
    return run


def _with_step(
    run: RunbookRun, step: RunStep, now: datetime, *, status: RunStatus, cursor: int | None = None
) -> RunbookRun:
    steps = [step if item.index == step.index else item for item in run.steps]
    return run.model_copy(
        update={
            "steps": steps,
            "status": status,
            "cursor": run.cursor if cursor is None else cursor,
            "version": run.version + 1,
            "updated_at": now,
        }
    )


def _end(run: RunbookRun, status: RunStatus, now: datetime, why: str) -> RunbookRun:
    steps = [
        step if step.index < run.cursor else step.model_copy(update={"status": StepStatus.SKIPPED, "reason": why})
        for step in run.steps
    ]
    return run.model_copy(update={"steps": steps, "status": status, "cursor": len(steps), "finished_at": now})


def as_of(run: RunbookRun, approval_status: ApprovalStatus | None) -> RunbookRun:
    """The run as a reader sees it now: a waiting step shows its approval's status, and an approval that lapsed or
    was decided shows in the run's status even before the run is carried on (as approvals' own status_at)."""
    step = run.current
    if run.status is not RunStatus.WAITING_APPROVAL or step is None or approval_status is None:
        return run
    shown = step.model_copy(update={"approval_status": approval_status})
    status = {
        ApprovalStatus.PENDING: RunStatus.WAITING_APPROVAL,
        ApprovalStatus.APPROVED: RunStatus.RUNNING,
        ApprovalStatus.REJECTED: RunStatus.REJECTED,
        ApprovalStatus.EXPIRED: RunStatus.EXPIRED,
    }[approval_status]
    steps = [shown if item.index == step.index else item for item in run.steps]
    return run.model_copy(update={"steps": steps, "status": status})

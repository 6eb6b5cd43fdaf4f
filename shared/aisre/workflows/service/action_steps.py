"""The actions function's Tasks of a workflow, all through ActionService (the policy, idempotency, verification):

- `approval`: a write step's approval request, its run waiting on the task token (ActionService.request_approval
  with a WorkflowGate): judged by the policy first; a relative replica count ("+1") is resolved here, against the
  count read now, so the person approves the exact write;
- `action`: the step's action: a dry run (reads and policy, no write); a write under its approval (which must be
  approved, and this run's and step's), carried out once whatever the retries (the approval is its key); advice;
- `undo`: a compensation, the write that puts back what an earlier step changed, under the idempotency key
  workflow:<run>:undo:<step> (once, however often the Map retries it).

Each event is the state machine's Payload {"task", "run", "context", "step", ...} (model/compiler.py); the run's
fields come from the execution's input, which only the workflows function writes.
"""

from __future__ import annotations

from typing import Any

from aisre.core.errors import ValidationError
from aisre.remediation.errors import ClusterError
from aisre.remediation.model.approvals import ApprovalSource, ApprovalStatus, WorkflowGate
from aisre.remediation.model.execution import ActionOutcome, OutcomeStatus
from aisre.remediation.model.requests import ActionRequest, action_request
from aisre.remediation.service.actions import ActionService
from aisre.remediation.service.approvals import ApprovalService
from aisre.workflows.errors import WorkflowStepFailedError
from aisre.workflows.model.catalog import STEP_TYPES, StepKind, is_relative, resolve_replicas, step_fields

Obj = dict[str, Any]


class WorkflowActionSteps:
    def __init__(self, actions: ActionService, approvals: ApprovalService):
        self._actions = actions
        self._approvals = approvals

    def run(self, event: Obj) -> Obj:
        task = str(event.get("task") or "")
        if task == "approval":
            return self.request_approval(event)
        if task == "action":
            return self.action(event)
        if task == "undo":
            return self.undo(event)
        raise ValidationError(f"unknown workflow task {task!r}", field="task")

    def request_approval(self, event: Obj) -> Obj:
        run, step = _run(event), _step(event)
        request = self._request(run, step, event.get("context") or {}, dry_run=False)
        gate = WorkflowGate(run_id=run["run_id"], step=step["name"], task_token=str(event["token"]))
        note = f"workflow {run.get('workflow_id')}, run {run['run_id']}, step {step['name']}"
        approval = self._actions.request_approval(run["workspace_id"], request, run["principal"], note=note, gate=gate)
        return {"step": step["name"], "approval_id": approval.id, "status": approval.status.value}

    def action(self, event: Obj) -> Obj:
        run, step = _run(event), _step(event)
        spec = STEP_TYPES[step["type"]]
        if spec.kind is not StepKind.ACTION:
            raise ValidationError(f"{spec.name} is not an action", field="step.type")
        dry_run = bool(run.get("dry_run"))
        if spec.writes and not dry_run:
            outcome = self._approved(run, step, str(event.get("approval_id") or ""))
        else:
            request = self._request(run, step, event.get("context") or {}, dry_run=dry_run)
            outcome = self._actions.execute(run["workspace_id"], request, run["principal"])
        _check(outcome)
        return {"step": step["name"], "step_type": spec.name, "outcome": outcome.public()}

    def undo(self, event: Obj) -> Obj:
        run, undo = _run(event), event.get("undo") or {}
        request = action_request(
            str(undo["action"]),
            dict(undo.get("arguments") or {}),
            incident_id=run.get("incident_id"),
            dry_run=False,
            # The person who approved the write approved putting it back if the run failed: that is the workflow's
            # compensation, and the policy's refusals and rate limits still apply.
            approved=True,
        )
        key = f"workflow:{run['run_id']}:undo:{undo.get('step')}"
        outcome = self._actions.execute(run["workspace_id"], request, run["principal"], idempotency_key=key)
        _check(outcome)
        return {"undo_of": undo.get("step"), "outcome": outcome.public()}

    def _approved(self, run: Obj, step: Obj, approval_id: str) -> ActionOutcome:
        """The write under its approval: approved by a person, for this run and step, exactly as they saw it."""
        approval, _execution = self._approvals.get(run["workspace_id"], approval_id)
        if (
            approval.source is not ApprovalSource.WORKFLOW
            or approval.workflow_run_id != run["run_id"]
            or approval.workflow_step != step["name"]
        ):
            raise WorkflowStepFailedError(f"approval {approval_id} is not this run's approval of step {step['name']}")
        if approval.status is not ApprovalStatus.APPROVED:
            raise WorkflowStepFailedError(f"approval {approval_id} is {approval.status.value}, not approved")
        request = ActionRequest(
            action=approval.action,
            arguments=approval.arguments,
            incident_id=approval.incident_id,
            dry_run=False,
            approved=True,
        )
        return self._actions.execute(approval.workspace_id, request, approval.requested_by, approval=approval)

    def _request(self, run: Obj, step: Obj, context: Obj, *, dry_run: bool) -> ActionRequest:
        spec = STEP_TYPES[step["type"]]
        fields = step_fields(spec, step.get("config") or {}, context)
        if is_relative(fields.get("replicas")):
            try:
                current = self._actions.current_replicas(fields["namespace"], fields["deployment_name"])
            except ClusterError as error:
                raise WorkflowStepFailedError(error.message) from error
            fields["replicas"] = resolve_replicas(fields["replicas"], current)
        return action_request(spec.name, fields, incident_id=run.get("incident_id"), dry_run=dry_run)


def _run(event: Obj) -> Obj:
    run = event.get("run")
    if not isinstance(run, dict) or not all(run.get(key) for key in ("run_id", "workspace_id", "principal")):
        raise ValidationError("the task's run is missing or incomplete", field="run")
    return run


def _step(event: Obj) -> Obj:
    step = event.get("step")
    if not isinstance(step, dict) or step.get("type") not in STEP_TYPES or not step.get("name"):
        raise ValidationError("the task's step is missing or not of the catalog", field="step")
    return step


def _check(outcome: ActionOutcome) -> None:
    """A failed action fails its step (the run compensates); nothing was written by it."""
    if outcome.status is OutcomeStatus.FAILED:
        raise WorkflowStepFailedError(outcome.message)
    if outcome.status is OutcomeStatus.PENDING_APPROVAL:  # a workflow's writes are approved before they run
        raise WorkflowStepFailedError(f"the policy asks for another approval: {outcome.message}")

"""ActionService: carrying out a catalog action through the policy, once, with its effect verified.

`execute(workspace, request, principal)` is the one way an action reaches a cluster (the HTTP route, an
approval, a runbook run, a workflow step or an autonomy cycle all call it):

1. the incident it is for, if any (404 when it is not in the workspace);
2. the policy: allowed actions and namespaces, replica bounds (403 naming the policy and its reasons);
3. advice (suggest_config_fix) is drafted and returned: it never writes;
4. a real run first looks for an earlier run of the same execution (its key: the approval's id, the
   Idempotency-Key, or the request itself within ACTION_IDEMPOTENCY_WINDOW_SECONDS) and answers with its
   outcome (`replayed`), waits for one in progress, or takes over one abandoned past its lease;
5. every read a dry run makes (the pod, the scale subresource, the deployment and its ReplicaSets); a target
   that does not exist is a failed action with the cluster's message, nothing else changes;
6. the approval the policy asks for (change factor, blast radius, never-automatic actions);
7. the rate limits, per action and namespace and per target (429 with Retry-After); a dry run stops here;
8. without `approved` (or an approval being carried out) an action that needs approval becomes an approval
   request, 202;
9. the execution is claimed with its rate-limit slots in one conditional transaction, then the one write,
   then the target re-read until healthy or ACTION_VERIFY_SECONDS have passed (`verified`);
10. the outcome on the execution record and, with an incident, on its timeline, /actions and /activity.

Steps 4 and 7 to 10 (making a decided run happen exactly once) are the ExecutionRunner's, service/runs.py.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import ConflictError, ValidationError
from aisre.core.timestamps import utc_iso
from aisre.incidents.model.incident import Incident
from aisre.remediation.errors import ClusterError, PolicyRefusedError
from aisre.remediation.model.approvals import Approval, ApprovalSource, RunbookStepRef, WorkflowGate, gate_approval_id
from aisre.remediation.model.config_fix import draft_config_fix
from aisre.remediation.model.execution import ActionOutcome, Execution, OutcomeStatus
from aisre.remediation.model.policy import WITHIN_GUARDRAILS, Policy, approval_reasons, policy_refusals
from aisre.remediation.model.requests import ActionRequest, suggestion_key
from aisre.remediation.ports import ApprovalStore, ExecutionStore, IncidentLog, WorkloadCluster
from aisre.remediation.service.audit import IncidentAudit
from aisre.remediation.service.operations import OPERATIONS, Prepared
from aisre.remediation.service.runs import ExecutionRunner, Run


def new_approval_id() -> str:
    return f"apr-{secrets.token_hex(6)}"


class ActionService:
    def __init__(
        self,
        executions: ExecutionStore,
        approvals: ApprovalStore,
        incidents: IncidentLog,
        cluster: WorkloadCluster,
        policy: Policy,
        *,
        approval_expiry: timedelta = timedelta(hours=1),
        idempotency_window: timedelta = timedelta(minutes=10),
        verify_seconds: float = 15.0,
        verify_interval: float = 1.0,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        on_approval_requested: Callable[[Approval], None] | None = None,
    ):
        self._executions = executions
        self._on_approval_requested = on_approval_requested
        self._approvals = approvals
        self._incidents = incidents
        self._audit = IncidentAudit(incidents, clock)
        self._cluster = cluster
        self.policy = policy
        self._approval_expiry = approval_expiry
        self._clock = clock
        self._runner = ExecutionRunner(
            executions,
            cluster,
            self._audit,
            policy,
            idempotency_window=idempotency_window,
            verify_seconds=verify_seconds,
            verify_interval=verify_interval,
            clock=clock,
            sleep=sleep,
        )

    # -- the entry points -------------------------------------------------------------------------------

    def execute(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        *,
        idempotency_key: str | None = None,
        approval: Approval | None = None,
        runbook_step: RunbookStepRef | None = None,
    ) -> ActionOutcome:
        """Carry out (or dry-run, or ask approval for) `request` on behalf of `principal`. `approval`: the
        approval this execution carries out (its id is the execution's key: it acts once). `runbook_step`: the
        runbook run step it is, named on the approval it may ask for."""
        incident = self._incident(workspace_id, request)
        self._check_policy(request, principal, incident)
        if not request.spec.executable:
            return self._advise(request, principal, incident)
        operation = OPERATIONS[request.action]
        key, reuse_after = self._runner.key(request, principal, idempotency_key, approval)
        if not request.dry_run:
            earlier = self._runner.earlier(workspace_id, key, request, principal, approval)
            if isinstance(earlier, ActionOutcome):
                return earlier
            if earlier is not None:  # abandoned by an attempt that died: take it over
                taken_over = {"policy_name": self.policy.name, "policy_reason": WITHIN_GUARDRAILS}
                run = Run(key, reuse_after, operation, None, [], taken_over, earlier)
                return self._runner.carry_out(workspace_id, request, principal, incident, approval, run)
        try:
            prepared = operation.prepare(self._cluster, request.arguments)
        except ClusterError as error:
            if approval is not None and not request.dry_run:
                # The approval's execution keeps what happened (GET /approvals/{id}); nothing was written, so it
                # may be carried out again once the target is back (reusable at once).
                run = Run(key, reuse_after, operation, None, [], {"policy_name": self.policy.name}, None)
                return self._runner.carry_out(workspace_id, request, principal, incident, approval, run)
            return self._failed_before_claim(request, principal, incident, error.message)
        reasons = approval_reasons(request.spec, {**request.arguments, **prepared.learned_arguments}, self.policy)
        judged: dict[str, Any] = {
            "approval_required": bool(reasons),
            "policy_name": self.policy.name,
            "policy_reason": reasons[0] if reasons else WITHIN_GUARDRAILS,
        }
        needs_approval = bool(reasons) and not request.approved and approval is None
        # Every check a real run makes, the dry run makes too: a dry run of a rate-limited action answers 429.
        spends = request.dry_run or not (needs_approval or prepared.no_op)
        slots = self._runner.free_slots(workspace_id, request) if spends else []
        if request.dry_run or prepared.no_op:
            outcome = ActionOutcome(
                status=OutcomeStatus.DRY_RUN if request.dry_run else OutcomeStatus.SUCCESS,
                action=request.action,
                message=prepared.message if request.dry_run else str(prepared.no_op),
                target=request.target_fields(),
                dry_run=request.dry_run,
                incident_id=request.incident_id,
                approval_id=approval.id if approval else None,
                details={
                    **prepared.facts,
                    **({"no_op": prepared.no_op} if prepared.no_op else {}),
                    **({"approval_reasons": reasons} if reasons else {}),
                },
                **judged,
            )
            self._audit.outcome(incident, request, principal, outcome)
            return outcome
        if needs_approval:
            return self._ask_approval(workspace_id, request, principal, incident, reasons, prepared, runbook_step)
        run = Run(key, reuse_after, operation, prepared, slots, judged, None)
        return self._runner.carry_out(workspace_id, request, principal, incident, approval, run)

    def request_approval(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        *,
        note: str | None = None,
        for_suggestion: bool = False,
        runbook_step: RunbookStepRef | None = None,
        gate: WorkflowGate | None = None,
    ) -> Approval:
        """An approval request for `request` (POST /approvals, a runbook run's write step, or a workflow step's write
        with `gate`, its run waiting on the task token): judged by the policy first (a refused action cannot be
        approved), then stored pending; approving it carries the action out (a workflow's run does, under this
        approval)."""
        incident = self._incident(workspace_id, request)
        self._check_policy(request, principal, incident)
        if not request.spec.executable:
            raise ValidationError(f"{request.action} is advice only: there is nothing to approve", field="action")
        if gate is not None:
            reasons = approval_reasons(request.spec, request.arguments, self.policy) or [
                f"workflow step {gate.step} writes to the cluster: a person approves every write of a workflow"
            ]
            return self._store_approval(
                workspace_id, request, principal, incident, reasons, ApprovalSource.WORKFLOW, note, gate=gate
            )
        reasons = approval_reasons(request.spec, request.arguments, self.policy) or ["an approval was asked for"]
        source = ApprovalSource.SUGGESTION if for_suggestion else ApprovalSource.REQUEST
        return self._store_approval(workspace_id, request, principal, incident, reasons, source, note, runbook_step)

    def current_replicas(self, namespace: str, deployment_name: str) -> int:
        """The deployment's replica count as its scale subresource says (a workflow's "+1" is counted from it);
        ClusterError when it cannot be read."""
        scale = self._cluster.read_scale(namespace, deployment_name)
        return int((scale.get("spec") or {}).get("replicas") or 0)

    def get_execution(self, workspace_id: str, execution_id: str) -> Execution | None:
        return self._executions.get_execution(workspace_id, execution_id)

    def find_execution(self, workspace_id: str | None, execution_id: str) -> Execution:
        return self._executions.find_execution(workspace_id, execution_id)

    def recent_executions(self, workspace_id: str | None, limit: int) -> list[Execution]:
        return self._executions.recent_executions(workspace_id, limit)

    def incident_of(self, workspace_id: str | None, incident_id: str | None) -> Incident | None:
        return None if incident_id is None else self._incidents.get(workspace_id, incident_id)

    def audit_event(
        self, incident: Incident | None, principal: str, event_type: str, action: str, payload: dict[str, Any]
    ) -> None:
        self._audit.event(incident, principal, event_type, action, payload)

    # -- the steps --------------------------------------------------------------------------------------

    def _incident(self, workspace_id: str, request: ActionRequest) -> Incident | None:
        return self.incident_of(workspace_id, request.incident_id)

    def _check_policy(self, request: ActionRequest, principal: str, incident: Incident | None) -> None:
        refusals = policy_refusals(request.spec, request.arguments, self.policy)
        if refusals:
            payload = {**request.target_fields(), "policy_name": self.policy.name, "reasons": refusals}
            self._audit.event(incident, principal, "action_refused", request.action, payload)
            raise PolicyRefusedError.of(self.policy.name, refusals)

    def _advise(self, request: ActionRequest, principal: str, incident: Incident | None) -> ActionOutcome:
        arguments = request.arguments
        proposal = draft_config_fix(arguments["component"], arguments["issue"], arguments.get("current_spec", ""))
        outcome = ActionOutcome(
            status=OutcomeStatus.DRY_RUN if request.dry_run else OutcomeStatus.SUCCESS,
            action=request.action,
            message=f"Proposed configuration change (not applied: review it and apply it yourself): {proposal.summary}",
            target={"component": arguments["component"]},
            dry_run=True,
            incident_id=request.incident_id,
            policy_name=self.policy.name,
            policy_reason=f"{request.action} is advice only: nothing is executed",
            proposal={"summary": proposal.summary, "diff": proposal.diff, "applied": False},
        )
        self._audit.outcome(incident, request, principal, outcome)
        return outcome

    def _ask_approval(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        incident: Incident | None,
        reasons: list[str],
        prepared: Prepared,
        runbook_step: RunbookStepRef | None,
    ) -> ActionOutcome:
        approval = self._store_approval(
            workspace_id, request, principal, incident, reasons, ApprovalSource.EXECUTE, runbook_step=runbook_step
        )
        return ActionOutcome(
            status=OutcomeStatus.PENDING_APPROVAL,
            action=request.action,
            message=f"{prepared.message}: waiting for approval {approval.id} ({reasons[0]})",
            target=request.target_fields(),
            dry_run=False,
            approval_id=approval.id,
            incident_id=request.incident_id,
            approval_required=True,
            policy_name=self.policy.name,
            policy_reason=reasons[0],
            details={**prepared.facts, "approval_reasons": reasons, "expires_at": utc_iso(approval.expires_at)},
        )

    def _store_approval(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        incident: Incident | None,
        reasons: list[str],
        source: ApprovalSource,
        note: str | None = None,
        runbook_step: RunbookStepRef | None = None,
        gate: WorkflowGate | None = None,
    ) -> Approval:
        now = self._clock()
        approval = Approval(
            id=gate_approval_id(workspace_id, gate.run_id, gate.step) if gate else new_approval_id(),
            workspace_id=workspace_id,
            action=request.action,
            arguments=request.arguments,
            incident_id=request.incident_id,
            source=source,
            suggestion_key=suggestion_key(request.action, request.arguments),
            reason=reasons[0],
            policy_name=self.policy.name,
            requested_by=principal,
            requested_at=now,
            expires_at=now + self._approval_expiry,
            note=note,
            dry_run=request.dry_run,
            workflow_run_id=gate.run_id if gate else None,
            workflow_step=gate.step if gate else None,
            task_token=gate.task_token if gate else None,
        )
        if runbook_step is not None:
            update = {"source": ApprovalSource.RUNBOOK, "runbook_run_id": runbook_step.run_id}
            approval = approval.model_copy(update={**update, "runbook_step": runbook_step.step})
        try:
            self._approvals.create_approval(approval)
        except ConflictError:
            if gate is None:
                raise
            # The step's Task was tried again: the request it made stands, with the newest attempt's token.
            self._approvals.set_task_token(workspace_id, approval.id, gate.task_token, now)
            return self._approvals.get_approval(workspace_id, approval.id)
        payload = {**request.target_fields(), "approval_id": approval.id, "reason": reasons[0]}
        if gate is not None:
            payload.update(workflow_run_id=gate.run_id, workflow_step=gate.step)
        self._audit.event(incident, principal, "action_approval_requested", request.action, payload)
        if self._on_approval_requested is not None:
            self._on_approval_requested(approval)
        return approval

    def _failed_before_claim(
        self, request: ActionRequest, principal: str, incident: Incident | None, message: str
    ) -> ActionOutcome:
        """The target could not be read (it does not exist, the cluster refused): the action fails cleanly,
        before anything is claimed, counted or written."""
        outcome = ActionOutcome(
            status=OutcomeStatus.FAILED,
            action=request.action,
            message=message,
            target=request.target_fields(),
            dry_run=request.dry_run,
            incident_id=request.incident_id,
            policy_name=self.policy.name,
        )
        self._audit.outcome(incident, request, principal, outcome)
        return outcome

"""ActionService: carrying out a catalog action through the policy, once, with its effect verified.

`execute(workspace, request, principal)` is the one way an action reaches a cluster (the HTTP route, an
approval, later a workflow step or an autonomy cycle all call it):

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
from aisre.remediation.errors import ActionRateLimitedError, ClusterError, ExecutionInProgressError, PolicyRefusedError
from aisre.remediation.model.approvals import Approval, ApprovalSource, WorkflowGate, gate_approval_id
from aisre.remediation.model.config_fix import draft_config_fix
from aisre.remediation.model.execution import (
    ActionOutcome,
    Execution,
    ExecutionStatus,
    OutcomeStatus,
    Verification,
    execution_id_for,
)
from aisre.remediation.model.policy import WITHIN_GUARDRAILS, Policy, approval_reasons, policy_refusals
from aisre.remediation.model.rate_limits import choose_slot, limit_reason, rate_scopes
from aisre.remediation.model.requests import ActionRequest, request_fingerprint, suggestion_key
from aisre.remediation.ports import ApprovalStore, ClaimResult, ExecutionStore, IncidentLog, SlotClaim, WorkloadCluster
from aisre.remediation.service.audit import IncidentAudit
from aisre.remediation.service.operations import OPERATIONS, Operation, Prepared

# How often a claim is tried again when a concurrent writer changed what it was conditioned on.
MAX_CLAIM_ATTEMPTS = 5
# Cluster calls around the verification: a claim is held this much longer than the verification may take.
LEASE_MARGIN = timedelta(seconds=60)
IDEMPOTENCY_KEY_WINDOW = timedelta(hours=24)
WAIT_POLL_SECONDS = 0.1


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
    ):
        self._executions = executions
        self._approvals = approvals
        self._incidents = incidents
        self._audit = IncidentAudit(incidents, clock)
        self._cluster = cluster
        self.policy = policy
        self._approval_expiry = approval_expiry
        self._idempotency_window = idempotency_window
        self._verify_seconds = verify_seconds
        self._verify_interval = verify_interval
        self._clock = clock
        self._sleep = sleep

    # -- the entry points -------------------------------------------------------------------------------

    def execute(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        *,
        idempotency_key: str | None = None,
        approval: Approval | None = None,
    ) -> ActionOutcome:
        """Carry out (or dry-run, or ask approval for) `request` on behalf of `principal`. `approval`: the
        approval this execution carries out (its id is the execution's key: it acts once)."""
        incident = self._incident(workspace_id, request)
        self._check_policy(request, principal, incident)
        if not request.spec.executable:
            return self._advise(request, principal, incident)
        operation = OPERATIONS[request.action]
        key, reuse_after = self._key(request, principal, idempotency_key, approval)
        if not request.dry_run:
            earlier = self._earlier(workspace_id, key, request, principal, approval)
            if isinstance(earlier, ActionOutcome):
                return earlier
            if earlier is not None:  # abandoned by an attempt that died: take it over
                taken_over = {"policy_name": self.policy.name, "policy_reason": WITHIN_GUARDRAILS}
                run = _Run(key, reuse_after, operation, None, [], taken_over, earlier)
                return self._carry_out(workspace_id, request, principal, incident, approval, run)
        try:
            prepared = operation.prepare(self._cluster, request.arguments)
        except ClusterError as error:
            if approval is not None:
                # The approval's execution keeps what happened (GET /approvals/{id}); nothing was written, so it
                # may be carried out again once the target is back (reusable at once).
                run = _Run(key, reuse_after, operation, None, [], {"policy_name": self.policy.name}, None)
                return self._carry_out(workspace_id, request, principal, incident, approval, run)
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
        slots = self._free_slots(workspace_id, request) if spends else []
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
            return self._ask_approval(workspace_id, request, principal, incident, reasons, prepared)
        run = _Run(key, reuse_after, operation, prepared, slots, judged, None)
        return self._carry_out(workspace_id, request, principal, incident, approval, run)

    def request_approval(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        *,
        note: str | None = None,
        for_suggestion: bool = False,
        gate: WorkflowGate | None = None,
    ) -> Approval:
        """An approval request for `request` (POST /approvals, or a workflow step's write with `gate`, its run
        waiting on the task token): judged by the policy first (a refused action cannot be approved), then stored
        pending; approving it carries the action out (a workflow's run does, under this approval)."""
        incident = self._incident(workspace_id, request)
        self._check_policy(request, principal, incident)
        if not request.spec.executable:
            raise ValidationError(f"{request.action} is advice only: there is nothing to approve", field="action")
        if gate is not None:
            reasons = approval_reasons(request.spec, request.arguments, self.policy) or [
                f"workflow step {gate.step} writes to the cluster: a person approves every write of a workflow"
            ]
            return self._store_approval(
                workspace_id, request, principal, incident, reasons, ApprovalSource.WORKFLOW, note, gate
            )
        reasons = approval_reasons(request.spec, request.arguments, self.policy) or ["an approval was asked for"]
        source = ApprovalSource.SUGGESTION if for_suggestion else ApprovalSource.REQUEST
        return self._store_approval(workspace_id, request, principal, incident, reasons, source, note)

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

    def _free_slots(self, workspace_id: str, request: ActionRequest) -> list[SlotClaim]:
        """A free slot of each rate limit the request counts against, or 429 naming the one that is full."""
        now = self._clock()
        claims: list[SlotClaim] = []
        for scope in rate_scopes(request, self.policy):
            choice = choose_slot(scope, self._executions.taken_slots(workspace_id, scope.key), now)
            if choice.index is None:
                raise ActionRateLimitedError.of(
                    self.policy.name, limit_reason(scope, choice), choice.retry_after_seconds
                )
            claims.append(SlotClaim(scope.key, choice.index, choice.taken_at, scope.window))
        return claims

    def _key(
        self, request: ActionRequest, principal: str, idempotency_key: str | None, approval: Approval | None
    ) -> tuple[str, timedelta | None]:
        """The execution's key and how long after it succeeds the same key may run again (None: never)."""
        if approval is not None:
            return f"approval:{approval.id}", None
        if idempotency_key:
            return f"key:{principal}:{idempotency_key}", IDEMPOTENCY_KEY_WINDOW
        return f"request:{request_fingerprint(request, principal)}", self._idempotency_window

    def _earlier(
        self, workspace_id: str, key: str, request: ActionRequest, principal: str, approval: Approval | None
    ) -> ActionOutcome | Execution | None:
        """An earlier run's outcome (`replayed`), after waiting for one in progress; the execution itself when
        its attempt died holding it (lease past); None when there is none, or it may run again."""
        execution_id = execution_id_for(workspace_id, key)
        deadline = time.monotonic() + self._verify_seconds + 10
        while True:
            existing = self._executions.get_execution(workspace_id, execution_id)
            now = self._clock()
            if existing is None:
                return None
            if approval is None and existing.fingerprint != request_fingerprint(request, principal):
                raise ValidationError("this Idempotency-Key was used for another request", field="Idempotency-Key")
            if existing.finished:
                if existing.reusable_after is not None and existing.reusable_after <= now:
                    return None
                return ActionOutcome.model_validate({**(existing.outcome or {}), "replayed": True})
            if existing.lease_until <= now:
                return existing
            if time.monotonic() >= deadline:
                raise ExecutionInProgressError(
                    f"execution {existing.id} of this request is in progress; ask again shortly",
                    details={"execution_id": existing.id},
                )
            self._sleep(WAIT_POLL_SECONDS)

    def _claim(
        self, workspace_id: str, request: ActionRequest, principal: str, approval: Approval | None, run: _Run
    ) -> ActionOutcome | Execution:
        """The execution, claimed for this attempt (with its slots); or the outcome of a run that got there first."""
        execution_id = execution_id_for(workspace_id, run.key)
        for _attempt in range(MAX_CLAIM_ATTEMPTS):
            now = self._clock()
            previous = run.previous
            before = previous.before if previous is not None else (run.prepared.before if run.prepared else {})
            execution = Execution(
                id=execution_id,
                workspace_id=workspace_id,
                key=run.key,
                fingerprint=request_fingerprint(request, principal),
                action=request.action,
                arguments=request.arguments,
                incident_id=request.incident_id,
                approval_id=approval.id if approval else None,
                principal=principal,
                attempt=previous.attempt + 1 if previous is not None else 1,
                started_at=now,
                lease_until=now + timedelta(seconds=self._verify_seconds) + LEASE_MARGIN,
                before=before,
            )
            claimed = self._executions.claim_execution(execution, run.slots, now)
            if claimed is ClaimResult.CLAIMED:
                return execution
            if claimed is ClaimResult.SLOT_TAKEN:
                run.slots = self._free_slots(workspace_id, request)
                continue
            earlier = self._earlier(workspace_id, run.key, request, principal, approval)
            if isinstance(earlier, ActionOutcome):
                return earlier
            if earlier is not None:
                run.previous, run.slots = earlier, []  # a takeover spends no slot: the dead attempt took them
        raise ExecutionInProgressError(f"execution {execution_id} kept changing; ask again shortly")

    def _carry_out(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        incident: Incident | None,
        approval: Approval | None,
        run: _Run,
    ) -> ActionOutcome:
        claimed = self._claim(workspace_id, request, principal, approval, run)
        if isinstance(claimed, ActionOutcome):
            return claimed
        execution = claimed
        base: dict[str, Any] = {
            "action": request.action,
            "target": request.target_fields(),
            "dry_run": False,
            "execution_id": execution.id,
            "incident_id": request.incident_id,
            "approval_id": approval.id if approval else None,
            "details": {
                **(run.prepared.facts if run.prepared else {}),
                "approved_by": approval.decided_by if approval else principal,
            },
            **run.judged,
        }
        try:
            done = run.previous is not None and run.operation.done_before(
                self._cluster, request.arguments, execution.before
            )
            if done:
                message = "carried out by an earlier attempt of this execution"
            else:
                prepared = run.prepared or run.operation.prepare(self._cluster, request.arguments)
                message = run.operation.apply(self._cluster, request.arguments, prepared)
        except ClusterError as error:
            self._executions.release_slots(workspace_id, run.slots, execution.id)
            outcome = ActionOutcome(status=OutcomeStatus.FAILED, message=error.message, **base)
            # Nothing was written: the same request may be tried again at once.
            self._finish(execution, ExecutionStatus.FAILED, outcome, reusable_after=self._clock())
            self._audit.outcome(incident, request, principal, outcome)
            return outcome
        verification = self._verify(run.operation, request.arguments, execution.before)
        outcome = ActionOutcome(
            status=OutcomeStatus.SUCCESS,
            message=message,
            verified=verification.verified,
            verification=verification,
            **base,
        )
        reusable = self._clock() + run.reuse_after if run.reuse_after is not None else None
        self._finish(execution, ExecutionStatus.SUCCEEDED, outcome, reusable_after=reusable)
        self._audit.outcome(incident, request, principal, outcome)
        return outcome

    def _finish(
        self, execution: Execution, status: ExecutionStatus, outcome: ActionOutcome, reusable_after: datetime | None
    ) -> None:
        update = {
            "status": status,
            "finished_at": self._clock(),
            "outcome": outcome.model_dump(mode="json"),
            "reusable_after": reusable_after,
        }
        self._executions.finish_execution(execution.model_copy(update=update))

    def _verify(self, operation: Operation, arguments: dict[str, Any], before: dict[str, Any]) -> Verification:
        started = time.monotonic()
        verifiable = before.get("verifiable", True)
        reads = 0
        while True:
            try:
                healthy, observed = operation.check(self._cluster, arguments, before)
            except ClusterError as error:
                healthy, observed = False, f"could not read the target: {error.message}"
            reads += 1
            waited = round(time.monotonic() - started, 3)
            if healthy:
                return Verification(verified=True, observed=observed, waited_seconds=waited, reads=reads)
            remaining = self._verify_seconds - (time.monotonic() - started)
            if not verifiable or remaining <= 0:
                if verifiable:
                    observed = f"not healthy within {self._verify_seconds:g} s: {observed}"
                return Verification(verified=False, observed=observed, waited_seconds=waited, reads=reads)
            self._sleep(min(self._verify_interval, remaining))

    def _ask_approval(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        incident: Incident | None,
        reasons: list[str],
        prepared: Prepared,
    ) -> ActionOutcome:
        approval = self._store_approval(workspace_id, request, principal, incident, reasons, ApprovalSource.EXECUTE)
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
            workflow_run_id=gate.run_id if gate else None,
            workflow_step=gate.step if gate else None,
            task_token=gate.task_token if gate else None,
        )
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


class _Run:
    """One execution attempt's working state: its key, the operation, what prepare read, the slots it spends,
    the policy's judgement, and the abandoned execution it takes over, if it does."""

    def __init__(
        self,
        key: str,
        reuse_after: timedelta | None,
        operation: Operation,
        prepared: Prepared | None,
        slots: list[SlotClaim],
        judged: dict[str, Any],
        previous: Execution | None,
    ):
        self.key = key
        self.reuse_after = reuse_after
        self.operation = operation
        self.prepared = prepared
        self.slots = slots
        self.judged = judged
        self.previous = previous

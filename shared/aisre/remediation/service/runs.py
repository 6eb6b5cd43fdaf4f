"""Carrying out one execution, once: its key, an earlier run of it, the rate-limit slots it spends, the claim,
the one write, the verification, and the outcome on the execution record and the incident.

ActionService (service/actions.py) decides whether a request runs (policy, approval, dry run); the ExecutionRunner
here makes a run that was decided happen exactly once however often it is retried (client retries, Lambda retries,
two approvers, an attempt that died holding its lease)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aisre.core.errors import ValidationError
from aisre.incidents.model.incident import Incident
from aisre.remediation.errors import ActionRateLimitedError, ClusterError, ExecutionInProgressError
from aisre.remediation.model.approvals import Approval
from aisre.remediation.model.execution import (
    ActionOutcome,
    Execution,
    ExecutionStatus,
    OutcomeStatus,
    Verification,
    execution_id_for,
)
from aisre.remediation.model.policy import Policy
from aisre.remediation.model.rate_limits import choose_slot, limit_reason, rate_scopes
from aisre.remediation.model.requests import ActionRequest, request_fingerprint
from aisre.remediation.ports import ClaimResult, ExecutionStore, SlotClaim, WorkloadCluster
from aisre.remediation.service.audit import IncidentAudit
from aisre.remediation.service.operations import Operation, Prepared

# How often a claim is tried again when a concurrent writer changed what it was conditioned on.
MAX_CLAIM_ATTEMPTS = 5
# Cluster calls around the verification: a claim is held this much longer than the verification may take.
LEASE_MARGIN = timedelta(seconds=60)
IDEMPOTENCY_KEY_WINDOW = timedelta(hours=24)
WAIT_POLL_SECONDS = 0.1


@dataclass
class Run:
    """One execution attempt's working state: its key, the operation, what prepare read, the slots it spends,
    the policy's judgement, and the abandoned execution it takes over, if it does."""

    key: str
    reuse_after: timedelta | None
    operation: Operation
    prepared: Prepared | None
    slots: list[SlotClaim]
    judged: dict[str, Any]
    previous: Execution | None


class ExecutionRunner:
    def __init__(
        self,
        executions: ExecutionStore,
        cluster: WorkloadCluster,
        audit: IncidentAudit,
        policy: Policy,
        *,
        idempotency_window: timedelta,
        verify_seconds: float,
        verify_interval: float,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None],
    ):
        self._executions = executions
        self._cluster = cluster
        self._audit = audit
        self._policy = policy
        self._idempotency_window = idempotency_window
        self._verify_seconds = verify_seconds
        self._verify_interval = verify_interval
        self._clock = clock
        self._sleep = sleep

    def key(
        self, request: ActionRequest, principal: str, idempotency_key: str | None, approval: Approval | None
    ) -> tuple[str, timedelta | None]:
        """The execution's key and how long after it succeeds the same key may run again (None: never)."""
        if approval is not None:
            return f"approval:{approval.id}", None
        if idempotency_key:
            return f"key:{principal}:{idempotency_key}", IDEMPOTENCY_KEY_WINDOW
        return f"request:{request_fingerprint(request, principal)}", self._idempotency_window

    def earlier(
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

    def free_slots(self, workspace_id: str, request: ActionRequest) -> list[SlotClaim]:
        """A free slot of each rate limit the request counts against, or 429 naming the one that is full."""
        now = self._clock()
        claims: list[SlotClaim] = []
        for scope in rate_scopes(request, self._policy):
            choice = choose_slot(scope, self._executions.taken_slots(workspace_id, scope.key), now)
            if choice.index is None:
                raise ActionRateLimitedError.of(
                    self._policy.name, limit_reason(scope, choice), choice.retry_after_seconds
                )
            claims.append(SlotClaim(scope.key, choice.index, choice.taken_at, scope.window))
        return claims

    def carry_out(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        incident: Incident | None,
        approval: Approval | None,
        run: Run,
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

    def _claim(
        self, workspace_id: str, request: ActionRequest, principal: str, approval: Approval | None, run: Run
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
                run.slots = self.free_slots(workspace_id, request)
                continue
            earlier = self.earlier(workspace_id, run.key, request, principal, approval)
            if isinstance(earlier, ActionOutcome):
                return earlier
            if earlier is not None:
                run.previous, run.slots = earlier, []  # a takeover spends no slot: the dead attempt took them
        raise ExecutionInProgressError(f"execution {execution_id} kept changing; ask again shortly")

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

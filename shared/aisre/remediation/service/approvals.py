"""ApprovalService: list, read and decide approval requests. Approving carries the action out exactly once
(ActionService.execute under the approval's id); rejecting ends it; a request nobody decides expires. Each
decision is then told to `on_decided` (the scope's `approval.decided` event: a runbook run waiting on it goes on).

A workflow step's approval (source `workflow`) has a run waiting on its task token: approving resumes the run
(SendTaskSuccess), whose next Task carries the action out under this approval, once; rejecting fails the waiting
step (SendTaskFailure, ApprovalRejected), and the run compensates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aisre.core.clock import utc_now
from aisre.core.errors import ConflictError
from aisre.remediation.errors import ApprovalDecidedError
from aisre.remediation.model.approvals import (
    Approval,
    ApprovalPage,
    ApprovalSource,
    ApprovalStatus,
    Resumption,
    check_decision,
)
from aisre.remediation.model.execution import ActionOutcome, Execution, execution_id_for
from aisre.remediation.model.requests import ActionRequest
from aisre.remediation.ports import ApprovalStore, TaskCallbacks
from aisre.remediation.service.actions import ActionService

REJECTED_ERROR = "ApprovalRejected"  # the error a rejected workflow step fails with (its Catch matches it)


class ApprovalService:
    def __init__(
        self,
        approvals: ApprovalStore,
        actions: ActionService,
        *,
        require_distinct: bool = True,
        clock: Callable[[], datetime] = utc_now,
        on_decided: Callable[[Approval], None] | None = None,
        callbacks: TaskCallbacks | None = None,
    ):
        self._approvals = approvals
        self._actions = actions
        self._require_distinct = require_distinct
        self._clock = clock
        self._on_decided = on_decided
        self._callbacks = callbacks

    # -- reads --------------------------------------------------------------------------------------------

    def get(self, workspace_id: str | None, approval_id: str) -> tuple[Approval, Execution | None]:
        """The approval as of now (a lapsed pending one reads expired), and its execution if it was approved."""
        approval = self._approvals.get_approval(workspace_id, approval_id)
        return self._as_of_now(approval), self._execution_of(approval)

    def list_approvals(
        self, workspace_id: str | None, status: ApprovalStatus | None, limit: int, cursor: str | None
    ) -> ApprovalPage:
        page = self._approvals.list_approvals(workspace_id, status, limit, cursor, self._clock())
        return ApprovalPage(items=[self._as_of_now(item) for item in page.items], cursor=page.cursor)

    def of_incident(self, workspace_id: str | None, incident_id: str) -> list[Approval]:
        """Every approval asked for an action on the incident, oldest first (404 if the incident is not there)."""
        incident = self._actions.incident_of(workspace_id, incident_id)
        assert incident is not None
        return [
            self._as_of_now(item) for item in self._approvals.approvals_of_incident(incident.workspace_id, incident.id)
        ]

    # -- decisions ----------------------------------------------------------------------------------------

    def approve(
        self, workspace_id: str | None, approval_id: str, principal: str, *, authenticated: bool, comment: str | None
    ) -> tuple[Approval, ActionOutcome | Resumption]:
        """Approve and carry out. The approval's decision is a conditional write (two approvers racing decide
        once, the loser gets 409); its execution is keyed by the approval, so it acts once however often this is
        called. The approver may call again to carry out an approval whose execution did not finish (429, a
        crash): it answers the one outcome. A workflow step's approval resumes its run instead (the Resumption),
        whose next Task carries it out under the approval; calling again sends the decision again."""
        approval = self._approvals.get_approval(workspace_id, approval_id)
        now = self._clock()
        if not (approval.status is ApprovalStatus.APPROVED and approval.decided_by == principal):
            check_decision(
                approval, principal, now, require_distinct=self._require_distinct, authenticated=authenticated
            )
            approval = approval.model_copy(
                update={
                    "status": ApprovalStatus.APPROVED,
                    "decided_by": principal,
                    "decided_at": now,
                    "comment": comment,
                    "execution_id": execution_id_for(approval.workspace_id, f"approval:{approval.id}"),
                }
            )
            self._decide(approval, now)
            incident = self._actions.incident_of(approval.workspace_id, approval.incident_id)
            payload = {**approval.arguments, "approval_id": approval.id, "comment": comment}
            self._actions.audit_event(incident, principal, "action_approved", approval.action, payload)
        if approval.source is ApprovalSource.WORKFLOW:
            output = {"approval_id": approval.id, "decided_by": principal, "comment": approval.comment}
            resumption = self._resume(approval, lambda token: self._callbacks_().succeed(token, output))
            self._decided(approval)
            return approval, resumption
        request = ActionRequest(
            action=approval.action,
            arguments=approval.arguments,
            incident_id=approval.incident_id,
            dry_run=approval.dry_run,
            approved=True,
        )
        outcome = self._actions.execute(approval.workspace_id, request, approval.requested_by, approval=approval)
        # After the action (its outcome is on the execution record), and again on the approver's retry: whoever
        # hears it must be idempotent.
        self._decided(approval)
        return approval, outcome

    def reject(
        self, workspace_id: str | None, approval_id: str, principal: str, *, authenticated: bool, comment: str | None
    ) -> tuple[Approval, Resumption | None]:
        """Reject: the action is never carried out; a workflow step's run is told (it fails and compensates)."""
        approval = self._approvals.get_approval(workspace_id, approval_id)
        now = self._clock()
        gate = approval.source is ApprovalSource.WORKFLOW
        if gate and approval.status is ApprovalStatus.REJECTED and approval.decided_by == principal:
            # The decider's retry (the run was not reached): sent again, and told again, as an approver's retry is.
            resumption = self._resume(approval, lambda token: self._fail_run(token, approval))
            self._decided(approval)
            return approval, resumption
        check_decision(approval, principal, now, require_distinct=self._require_distinct, authenticated=authenticated)
        approval = approval.model_copy(
            update={"status": ApprovalStatus.REJECTED, "decided_by": principal, "decided_at": now, "comment": comment}
        )
        self._decide(approval, now)
        incident = self._actions.incident_of(approval.workspace_id, approval.incident_id)
        payload = {**approval.arguments, "approval_id": approval.id, "comment": comment}
        self._actions.audit_event(incident, principal, "action_rejected", approval.action, payload)
        resumed = self._resume(approval, lambda token: self._fail_run(token, approval)) if gate else None
        self._decided(approval)
        return approval, resumed

    # -- workflow runs waiting on an approval ---------------------------------------------------------------

    def _callbacks_(self) -> TaskCallbacks:
        if self._callbacks is None:
            raise RuntimeError("no task callbacks configured: a workflow's approval cannot resume its run")
        return self._callbacks

    def _fail_run(self, token: str, approval: Approval) -> bool:
        cause = f"approval {approval.id} was rejected by {approval.decided_by}"
        if approval.comment:
            cause += f": {approval.comment}"
        return self._callbacks_().fail(token, REJECTED_ERROR, cause)

    def _resume(self, approval: Approval, send: Callable[[str], bool]) -> Resumption:
        """Send the decision to the run waiting on the approval's token. Sent after the decision is stored: a
        failure to send leaves the decision made, and the decider's retry sends it again."""
        run_id, step = approval.workflow_run_id or "", approval.workflow_step or ""
        if approval.task_token and send(approval.task_token):
            verb = "resumed: it carries the action out" if approval.status is ApprovalStatus.APPROVED else "told"
            return Resumption(run_id=run_id, step=step, resumed=True, message=f"workflow run {run_id} {verb}")
        return Resumption(
            run_id=run_id,
            step=step,
            resumed=False,
            message=f"workflow run {run_id} no longer waits for this approval (it was resumed, timed out or ended)",
        )

    def _decided(self, approval: Approval) -> None:
        if self._on_decided is not None:
            self._on_decided(approval)

    def _decide(self, approval: Approval, now: datetime) -> None:
        try:
            self._approvals.decide_approval(approval, now)
        except ConflictError as lost:
            current = self._approvals.get_approval(approval.workspace_id, approval.id)
            status = current.status_at(now)
            raise ApprovalDecidedError(
                f"approval {approval.id} was already {status.value}"
                + (f" by {current.decided_by}" if current.decided_by else ""),
                details={"status": status.value, "decided_by": current.decided_by},
            ) from lost

    def _as_of_now(self, approval: Approval) -> Approval:
        status = approval.status_at(self._clock())
        return approval if status is approval.status else approval.model_copy(update={"status": status})

    def _execution_of(self, approval: Approval) -> Execution | None:
        if approval.execution_id is None:
            return None
        return self._actions.get_execution(approval.workspace_id, approval.execution_id)

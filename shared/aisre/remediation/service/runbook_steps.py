"""One runbook step carried out: a read through the actions function's own reads, an action through ActionService
(the policy, an approval, once), or the outcome of the approval a write step waits on.

Every action goes through `ActionService`, exactly as `POST /actions/execute` and an approval do; a step names the
action, the run planned its target from the incident (model/runbook_runs.py). A write step is carried out under a
key of its own (`runbook-run:<run>:<step>`) or under its approval's id, so carrying a run on twice acts once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.remediation.errors import ActionRateLimitedError, ClusterError, PolicyRefusedError
from aisre.remediation.model.approvals import Approval, ApprovalStatus, RunbookStepRef
from aisre.remediation.model.execution import ActionOutcome, OutcomeStatus
from aisre.remediation.model.requests import ActionRequest
from aisre.remediation.model.runbook_reads import (
    bounded,
    summarize_deployment,
    summarize_history,
    summarize_pod,
    summarize_pods,
)
from aisre.remediation.model.runbook_runs import RunbookRun, RunStep, StepResult, StepStatus
from aisre.remediation.model.runbooks import StepKind
from aisre.remediation.model.workloads import label_selector
from aisre.remediation.ports import ApprovalStore, WorkloadCluster
from aisre.remediation.service.actions import ActionService

MAX_DIFF = 4000


def _read(cluster: WorkloadCluster, name: str, arguments: dict[str, Any]) -> str:
    namespace = arguments["namespace"]
    if name == "pod_status":
        return summarize_pod(cluster.read_pod(namespace, arguments["pod"]))
    deployment = cluster.read_deployment(namespace, arguments["deployment"])
    if name == "deployment_status":
        return summarize_deployment(deployment)
    selector = label_selector(deployment.get("spec", {}).get("selector"))
    if name == "deployment_pods":
        return summarize_pods(cluster.list_pods(namespace, selector))
    return summarize_history(deployment, cluster.list_replicasets(namespace, selector))


def _from_outcome(outcome: ActionOutcome) -> StepResult:
    status = {
        OutcomeStatus.SUCCESS: StepStatus.SUCCEEDED,
        OutcomeStatus.DRY_RUN: StepStatus.DRY_RUN,
        OutcomeStatus.FAILED: StepStatus.FAILED,
        OutcomeStatus.PENDING_APPROVAL: StepStatus.WAITING_APPROVAL,
    }[outcome.status]
    proposal = None
    if outcome.proposal:
        proposal = {
            "summary": bounded(str(outcome.proposal.get("summary", "")), 500),
            "diff": bounded(str(outcome.proposal.get("diff", "")), MAX_DIFF),
        }
    waiting = status is StepStatus.WAITING_APPROVAL
    return StepResult(
        status=status,
        output=bounded(outcome.message),
        reason=f"waiting for approval {outcome.approval_id}: {outcome.policy_reason}" if waiting else None,
        approval_id=outcome.approval_id,
        execution_id=outcome.execution_id,
        verified=outcome.verified,
        proposal=proposal,
    )


class StepRunner:
    def __init__(
        self,
        cluster: WorkloadCluster,
        actions: ActionService,
        approvals: ApprovalStore,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._cluster = cluster
        self._actions = actions
        self._approvals = approvals
        self._clock = clock

    def read(self, step: RunStep) -> StepResult:
        """A read's observation; a target the cluster does not have (or a cluster that refuses) is a failed read,
        which the run notes and goes past."""
        assert step.read is not None
        try:
            return StepResult(StepStatus.SUCCEEDED, output=_read(self._cluster, step.read, step.arguments))
        except ClusterError as error:
            return StepResult(StepStatus.FAILED, reason=bounded(f"{step.read}: {error.message}"))

    def act(self, run: RunbookRun, step: RunStep) -> StepResult:
        """The step's action. Advice and a dry run's writes run at once; otherwise a write waits for a person's
        approval, unless the run auto-approves and the policy lets the action run unapproved."""
        assert step.action is not None
        ref = RunbookStepRef(run_id=run.id, step=step.index)
        if step.attempt > 1:  # taking over from a request that died: it may have asked for an approval already
            asked = self._approval_asked(run, step)
            if asked is not None:
                return self.waiting(asked)
        write = step.kind is StepKind.ACTION and not run.dry_run
        request = ActionRequest(
            action=step.action, arguments=step.arguments, incident_id=run.incident_id, dry_run=run.dry_run
        )
        try:
            if write and not run.auto_approve:
                note = f"runbook {run.runbook_id}, step {step.index + 1}: {step.title}"
                approval = self._actions.request_approval(
                    run.workspace_id, request, run.started_by, note=bounded(note, 2000), runbook_step=ref
                )
                return self.waiting(approval)
            outcome = self._actions.execute(
                run.workspace_id,
                request,
                run.started_by,
                idempotency_key=f"runbook-run:{run.id}:{step.index}",
                runbook_step=ref,
            )
        except PolicyRefusedError as refused:
            return StepResult(StepStatus.FAILED, reason=refused.message)
        except ActionRateLimitedError as limited:
            return StepResult(
                StepStatus.FAILED, reason=f"{limited.message} (retry after {limited.retry_after_seconds} s)"
            )
        return _from_outcome(outcome)

    def waiting(self, approval: Approval) -> StepResult:
        return StepResult(
            StepStatus.WAITING_APPROVAL,
            reason=f"waiting for approval {approval.id}: {approval.reason}",
            approval_id=approval.id,
        )

    def decided(self, run: RunbookRun, step: RunStep) -> StepResult | None:
        """What the approval a write step waits on came to: None while it is pending, or approved and not yet
        carried out (a rate limit spent at approval: the approver approves again later)."""
        assert step.approval_id is not None
        approval = self._approvals.get_approval(run.workspace_id, step.approval_id)
        status = approval.status_at(self._clock())
        who = f" by {approval.decided_by}" if approval.decided_by else ""
        if status is ApprovalStatus.REJECTED:
            comment = f": {approval.comment}" if approval.comment else ""
            return StepResult(StepStatus.REJECTED, reason=bounded(f"approval {approval.id} rejected{who}{comment}"))
        if status is ApprovalStatus.EXPIRED:
            return StepResult(StepStatus.EXPIRED, reason=f"approval {approval.id} expired undecided")
        if status is not ApprovalStatus.APPROVED or approval.execution_id is None:
            return None
        execution = self._actions.get_execution(run.workspace_id, approval.execution_id)
        if execution is None or not execution.finished or not execution.outcome:
            return None
        result = _from_outcome(ActionOutcome.model_validate(execution.outcome))
        output = f"{result.output} (approved{who})"
        return StepResult(
            result.status,
            output=bounded(output),
            reason=result.reason,
            approval_id=approval.id,
            execution_id=execution.id,
            verified=result.verified,
        )

    def approval_status(self, run: RunbookRun, step: RunStep) -> ApprovalStatus | None:
        if step.approval_id is None:
            return None
        return self._approvals.get_approval(run.workspace_id, step.approval_id).status_at(self._clock())

    def _approval_asked(self, run: RunbookRun, step: RunStep) -> Approval | None:
        for approval in self._approvals.approvals_of_incident(run.workspace_id, run.incident_id):
            if approval.runbook_run_id == run.id and approval.runbook_step == step.index:
                return approval
        return None

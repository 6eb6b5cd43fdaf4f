"""The interfaces the remediation services need: the cluster the actions write to, the stores of executions,
rate-limit slots, approvals, saved runbooks and runbook runs, and what they need of incidents (IncidentService
satisfies IncidentLog and IncidentHistory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from aisre.core.paging import Page
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState, TimelineEvent
from aisre.remediation.model.approvals import Approval, ApprovalPage, ApprovalStatus
from aisre.remediation.model.execution import Execution
from aisre.remediation.model.runbook_documents import StoredRunbook
from aisre.remediation.model.runbook_runs import RunbookRun

Obj = dict[str, Any]


class WorkloadCluster(Protocol):
    """The Kubernetes API calls the catalog makes, under the actions function's own identity. Each raises
    ClusterError (remediation/errors.py) with the API server's status, reason and message."""

    def read_pod(self, namespace: str, name: str) -> Obj: ...

    def list_pods(self, namespace: str, label_selector: str) -> list[Obj]: ...

    def delete_pod(self, namespace: str, name: str, body: Obj) -> Obj: ...

    def read_deployment(self, namespace: str, name: str) -> Obj: ...

    def read_scale(self, namespace: str, name: str) -> Obj: ...

    def patch_scale(self, namespace: str, name: str, merge_patch: Obj) -> Obj: ...

    def list_replicasets(self, namespace: str, label_selector: str) -> list[Obj]: ...

    def patch_deployment(self, namespace: str, name: str, json_patch: list[Obj]) -> Obj: ...


@dataclass(frozen=True)
class SlotClaim:
    """A rate-limit slot to take: `taken_at` is when it was last taken as read (None: never), the condition
    under which it is taken, so two executions cannot take the same free slot."""

    scope_key: str
    index: int
    taken_at: datetime | None
    window: timedelta


class ClaimResult(StrEnum):
    CLAIMED = "claimed"
    EXISTS = "exists"  # another attempt holds or finished this execution: read it
    SLOT_TAKEN = "slot_taken"  # a rate-limit slot was taken meanwhile: read the slots again


class ExecutionStore(Protocol):
    def get_execution(self, workspace_id: str, execution_id: str) -> Execution | None: ...

    def find_execution(self, workspace_id: str | None, execution_id: str) -> Execution:
        """In any workspace the caller sees (None: every one); NotFoundError when there is none."""

    def claim_execution(self, execution: Execution, slots: Sequence[SlotClaim], now: datetime) -> ClaimResult:
        """Put `execution` (running, leased) and take `slots` at once. It may replace a record only when that
        one is abandoned (running past its lease) or finished and reusable (past `reusable_after`)."""

    def finish_execution(self, execution: Execution) -> None:
        """Write the outcome of the attempt that holds `execution` (its `attempt` is the condition)."""

    def release_slots(self, workspace_id: str, slots: Sequence[SlotClaim], execution_id: str) -> None:
        """Give back slots an execution took but did not use (the cluster refused the write)."""

    def taken_slots(self, workspace_id: str, scope_key: str) -> dict[int, datetime]: ...

    def recent_executions(self, workspace_id: str | None, limit: int) -> list[Execution]: ...


class ApprovalStore(Protocol):
    def create_approval(self, approval: Approval) -> None: ...

    def get_approval(self, workspace_id: str | None, approval_id: str) -> Approval:
        """NotFoundError when it does not exist in the workspaces the caller sees."""

    def decide_approval(self, approval: Approval, now: datetime) -> None:
        """Write `approval`'s decision (status, decided_by, decided_at, comment, execution_id) on condition that
        the stored one is still pending and unexpired at `now`: ConflictError when another decision won."""

    def list_approvals(
        self, workspace_id: str | None, status: ApprovalStatus | None, limit: int, cursor: str | None, now: datetime
    ) -> ApprovalPage: ...

    def approvals_of_incident(self, workspace_id: str, incident_id: str) -> list[Approval]: ...

    def set_task_token(self, workspace_id: str, approval_id: str, task_token: str, now: datetime) -> None:
        """Give a pending workflow approval its step's newest task token: ConflictError when it is not pending."""


class TaskCallbacks(Protocol):
    """Resuming a workflow run that waits for an approval (Step Functions' SendTaskSuccess / SendTaskFailure).
    Each answers False when the run no longer waits on that token (it timed out, ended, or was resumed already);
    a failure to reach Step Functions raises."""

    def succeed(self, task_token: str, output: dict[str, Any]) -> bool: ...

    def fail(self, task_token: str, error: str, cause: str) -> bool: ...


class IncidentLog(Protocol):
    """What remediation needs of incidents: IncidentService (incidents/service/lifecycle.py) is one."""

    def get(self, workspace_id: str | None, incident_id: str) -> Incident: ...

    def record_action(self, incident: Incident, action: ActionRecord, events: Sequence[TimelineEvent] = ()) -> None: ...

    def record_event(self, workspace_id: str, event: TimelineEvent) -> None: ...


class IncidentHistory(Protocol):
    """What drafting a runbook reads of a workspace's incidents (IncidentService is one)."""

    def get(self, workspace_id: str | None, incident_id: str) -> Incident: ...

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]: ...

    def actions_of(self, incident: Incident) -> list[ActionRecord]: ...

    def recent_events(self, incident: Incident, limit: int) -> list[TimelineEvent]: ...


class RunbookStore(Protocol):
    """A workspace's saved runbooks (generated and approved, or imported)."""

    def saved_runbooks(self, workspace_id: str) -> list[StoredRunbook]: ...

    def get_saved(self, workspace_id: str, runbook_id: str) -> StoredRunbook | None: ...

    def save_runbook(self, stored: StoredRunbook) -> bool:
        """Put `stored` (its `version` one above the stored one's, 1 for a new id); False when another save
        changed it meanwhile."""


class RunStore(Protocol):
    """Runbook runs, beside their incident; every change is conditioned on the version it was made from."""

    def create_run(self, run: RunbookRun) -> bool:
        """False when a run of that id exists (an Idempotency-Key's earlier run)."""

    def get_run(self, workspace_id: str, incident_id: str, run_id: str) -> RunbookRun | None: ...

    def save_run(self, run: RunbookRun, expected_version: int) -> bool:
        """False when the stored run is no longer at `expected_version` (another request carried it on)."""

    def runs_of_incident(self, workspace_id: str, incident_id: str) -> list[RunbookRun]: ...

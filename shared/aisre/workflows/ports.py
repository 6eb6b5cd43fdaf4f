"""The interfaces the workflow services need: their stores, Step Functions, the built-in definitions, and the
cluster the read steps read (under the read-only identity)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from aisre.workflows.model.definition import Workflow, WorkflowStep
from aisre.workflows.model.runs import RunStatus, WorkflowRun

Obj = dict[str, Any]


class WorkflowStore(Protocol):
    def create_workflow(self, workflow: Workflow) -> None: ...

    def get_workflow(self, workspace_id: str | None, workflow_id: str) -> Workflow:
        """NotFoundError when it is not in the workspaces the caller sees (None: every one)."""

    def list_workflows(self, workspace_id: str | None, limit: int) -> list[Workflow]: ...

    def replace_steps(self, workflow: Workflow, steps: Sequence[WorkflowStep], now: datetime) -> Workflow:
        """The workflow with `steps`, written on condition that its version is still `workflow.version`
        (ConflictError otherwise: someone changed it meanwhile)."""

    def add_state_machine(self, workflow: Workflow, arn: str) -> None: ...

    def delete_workflow(self, workflow: Workflow) -> None:
        """NotFoundError when it was deleted meanwhile."""


class RunStore(Protocol):
    def create_run(self, run: WorkflowRun) -> None: ...

    def get_run(self, workspace_id: str | None, run_id: str) -> WorkflowRun:
        """NotFoundError when it is not in the workspaces the caller sees."""

    def finish_run(self, run: WorkflowRun, status: RunStatus, finished_at: datetime | None, final: Obj) -> None: ...


class StateMachines(Protocol):
    """Step Functions: the workflows' state machines and their executions."""

    def start(self, state_machine_arn: str, name: str, payload: Obj) -> str:
        """Start an execution named `name` (a retried start finds it started); its ARN."""

    def describe(self, execution_arn: str) -> Obj | None:
        """DescribeExecution's answer; None when Step Functions no longer knows the execution."""

    def history(self, execution_arn: str, max_events: int) -> tuple[list[Obj], bool]:
        """The execution's events, oldest first, up to `max_events`; and whether there were more."""

    def ensure_state_machine(self, name: str, definition: Obj) -> str:
        """The ARN of the state machine `name` with `definition`, created unless it exists already."""

    def delete_state_machine(self, arn: str) -> None: ...


class WorkloadReader(Protocol):
    """Reads of the workflow's read steps, under the read-only identity; each raises the remediation's
    ClusterError with the API server's words."""

    def read_pod(self, namespace: str, name: str) -> Obj: ...

    def list_pods(self, namespace: str, label_selector: str) -> list[Obj]: ...

    def read_deployment(self, namespace: str, name: str) -> Obj: ...


class IncidentLookup(Protocol):
    """That an incident a run is for is in the workspace (IncidentService satisfies it): NotFoundError if not."""

    def get(self, workspace_id: str | None, incident_id: str) -> Any: ...

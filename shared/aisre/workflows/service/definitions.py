"""WorkflowService: the built-in workflows and a workspace's own (seed 002): create, read, add a step, delete.
Every change is checked as a whole (definition.check_workflow) before it is stored: a 422 names the step."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.workflows.errors import BuiltinWorkflowError
from aisre.workflows.model.definition import Workflow, WorkflowStep, check_workflow
from aisre.workflows.ports import StateMachines, WorkflowStore

logger = logging.getLogger(__name__)

LIST_LIMIT = 100


def new_workflow_id() -> str:
    return f"wf-{secrets.token_hex(6)}"


class WorkflowService:
    def __init__(
        self,
        store: WorkflowStore,
        builtins: Sequence[Workflow],
        machines: StateMachines,
        *,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._store = store
        self._builtins = {workflow.id: workflow for workflow in builtins}
        self._machines = machines
        self._clock = clock

    def builtins(self) -> list[Workflow]:
        return list(self._builtins.values())

    def list_workflows(self, workspace_id: str | None) -> list[Workflow]:
        """The built-ins, then the workspace's own, newest first (every workspace's for a key that sees all)."""
        return [*self._builtins.values(), *self._store.list_workflows(workspace_id, LIST_LIMIT)]

    def get(self, workspace_id: str | None, workflow_id: str) -> Workflow:
        """A built-in by its id, else the workspace's own (NotFoundError for another workspace's)."""
        builtin = self._builtins.get(workflow_id)
        if builtin is not None:
            return builtin
        return self._store.get_workflow(workspace_id, workflow_id)

    def create(
        self,
        workspace_id: str,
        principal: str,
        *,
        name: str,
        description: str = "",
        is_template: bool = False,
        config: Mapping[str, Any] | None = None,
        steps: Sequence[WorkflowStep] = (),
    ) -> Workflow:
        check_workflow(steps)
        now = self._clock()
        workflow = Workflow(
            id=new_workflow_id(),
            workspace_id=workspace_id,
            name=name,
            description=description,
            is_template=is_template,
            config=dict(config or {}),
            steps=tuple(steps),
            created_by=principal,
            created_at=now,
            updated_at=now,
            version=1,
        )
        self._store.create_workflow(workflow)
        return workflow

    def add_step(self, workspace_id: str | None, workflow_id: str, step: WorkflowStep) -> Workflow:
        """The workflow with `step` added, checked with the steps it has (a duplicate name, an unknown
        dependency or a cycle is a 422 naming the step); a concurrent change is a 409."""
        workflow = self._own(workspace_id, workflow_id, "changed")
        steps = (*workflow.steps, step)
        check_workflow(steps)
        return self._store.replace_steps(workflow, steps, self._clock())

    def delete(self, workspace_id: str | None, workflow_id: str) -> Workflow:
        """Delete it and the state machines compiled for it (Step Functions lets their running executions end).
        Its runs stay readable: each keeps the steps it ran."""
        workflow = self._own(workspace_id, workflow_id, "deleted")
        self._store.delete_workflow(workflow)
        for arn in workflow.state_machine_arns:
            try:
                self._machines.delete_state_machine(arn)
            except Exception:  # the workflow is gone: a state machine left behind is logged, not an error
                logger.warning("deleting the state machine of workflow %s failed", workflow.id, exc_info=True)
        return workflow

    def _own(self, workspace_id: str | None, workflow_id: str, verb: str) -> Workflow:
        if workflow_id in self._builtins:
            raise BuiltinWorkflowError(
                f"{workflow_id} is a built-in workflow: it cannot be {verb}; create one of your own instead",
                field="workflow_id",
            )
        return self._store.get_workflow(workspace_id, workflow_id)

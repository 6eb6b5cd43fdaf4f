"""RunService: start a workflow (seed 001's execute) and read a run's status.

A run starts its workflow's state machine: a built-in's is deployed with the stack (template.yaml); a workspace's
own workflow is compiled (model/compiler.py) into a state machine named after its definition's digest, created on
its first run and reused until the steps change. The run is stored before the execution starts, so that every
execution has a record to read; its status is read from the execution's history, and kept on the record once the
run has finished.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import DependencyUnavailableError
from aisre.workflows.errors import WorkflowDefinitionError
from aisre.workflows.model.arguments import check_run
from aisre.workflows.model.compiler import BUILTIN_TARGETS, Targets, compile_workflow
from aisre.workflows.model.definition import Workflow
from aisre.workflows.model.history import run_view
from aisre.workflows.model.runs import RunStatus, RunView, StepStatus, StepView, WorkflowRun
from aisre.workflows.ports import IncidentLookup, RunStore, StateMachines, WorkflowStore
from aisre.workflows.service.definitions import WorkflowService

MAX_HISTORY_EVENTS = 5000
# The status view kept on the run's item (DynamoDB's limit is 400 KB, and the item holds the steps and context too).
MAX_FINAL_BYTES = 200_000
MACHINE_NAME_LENGTH = 80  # Step Functions' limit on a state machine's name


@dataclass(frozen=True)
class RunSettings:
    builtin_state_machines: Mapping[str, str] = field(default_factory=dict)  # built-in id -> state machine ARN
    targets: Targets = field(default_factory=lambda: Targets("", ""))  # what a workspace's own workflows invoke
    machine_prefix: str = "aisre-wf"
    approval_timeout_seconds: int = 3600


def new_run_id() -> str:
    return f"wfr-{secrets.token_hex(6)}"


def machine_name(prefix: str, workspace_id: str, workflow_id: str, definition: Mapping[str, Any]) -> str:
    """One state machine per workflow and definition: the same steps reuse it, changed steps get a new one."""
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"{workspace_id}\n{workflow_id}\n{text}".encode()).hexdigest()[:24]
    return f"{prefix[: MACHINE_NAME_LENGTH - 25]}-{digest}"


class RunService:
    def __init__(
        self,
        workflows: WorkflowService,
        store: WorkflowStore,
        runs: RunStore,
        machines: StateMachines,
        incidents: IncidentLookup,
        settings: RunSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._workflows = workflows
        self._store = store
        self._runs = runs
        self._machines = machines
        self._incidents = incidents
        self._settings = settings
        self._clock = clock

    def execute(
        self,
        workspace_id: str,
        workflow_id: str,
        context: Mapping[str, Any],
        principal: str,
        *,
        dry_run: bool = True,
        incident_id: str | None = None,
    ) -> WorkflowRun:
        """Start a run: the context checked against every step first (422 naming the step and the field), the
        incident if one is named (404 when not in the workspace)."""
        workflow = self._workflows.get(workspace_id, workflow_id)
        if not workflow.steps:
            raise WorkflowDefinitionError(f"workflow {workflow.id} has no steps yet: add some first", field="steps")
        check_run(workflow.steps, context)
        if incident_id is not None:
            self._incidents.get(workspace_id, incident_id)
        state_machine = self._state_machine(workspace_id, workflow)
        run_id = new_run_id()
        run = WorkflowRun(
            id=run_id,
            workspace_id=workspace_id,
            workflow_id=workflow.id,
            workflow_name=workflow.name,
            builtin=workflow.builtin,
            steps=workflow.steps,
            state_machine_arn=state_machine,
            execution_arn=state_machine.replace(":stateMachine:", ":execution:", 1) + ":" + run_id,
            principal=principal,
            dry_run=dry_run,
            context=dict(context),
            incident_id=incident_id,
            started_at=self._clock(),
        )
        self._runs.create_run(run)
        try:
            self._machines.start(state_machine, run.id, run.execution_input(self._settings.approval_timeout_seconds))
        except Exception as error:
            # It may have started all the same (an answer lost): only a run Step Functions does not know failed.
            try:
                started = self._machines.describe(run.execution_arn) is not None
            except Exception:
                raise error from None
            if started:
                return run
            message = f"the execution did not start: {type(error).__name__}"
            self._runs.finish_run(run, RunStatus.FAILED, self._clock(), _not_started(run, message))
            raise
        return run

    def status(self, workspace_id: str | None, run_id: str) -> tuple[WorkflowRun, RunView]:
        """The run and its status: each step's status and output, from the execution's history."""
        run = self._runs.get_run(workspace_id, run_id)
        if run.final is not None:
            return run, RunView.model_validate(run.final)
        described = self._machines.describe(run.execution_arn)
        if described is None:
            return run, RunView(
                status=RunStatus.UNKNOWN,
                started_at=run.started_at,
                steps=[StepView(name=s.name, step_type=s.step_type, status=StepStatus.PENDING) for s in run.steps],
                message="Step Functions no longer knows this run's execution (on the local stack: the emulator "
                "restarted, and executions in flight are not kept)",
            )
        events, truncated = self._machines.history(run.execution_arn, MAX_HISTORY_EVENTS)
        view = run_view(run.steps, described, events, truncated=truncated)
        if view.status.finished:
            self._runs.finish_run(run, view.status, view.finished_at, _kept(view))
        return run, view

    def definition(self, workflow: Workflow) -> dict[str, Any]:
        """The ASL a workflow runs as: a built-in's as infra/statemachines/ holds it (the template's placeholders
        for the functions), a workspace's own as its state machine is created."""
        if workflow.builtin:
            return compile_workflow(workflow.steps, BUILTIN_TARGETS, comment=f"{workflow.name}: {workflow.description}")
        return compile_workflow(workflow.steps, self._settings.targets, comment=workflow.name[:200])

    def _state_machine(self, workspace_id: str, workflow: Workflow) -> str:
        if workflow.builtin:
            arn = self._settings.builtin_state_machines.get(workflow.id)
            if not arn:
                raise DependencyUnavailableError(
                    f"the state machine of built-in workflow {workflow.id} is not configured "
                    "(WORKFLOW_STATE_MACHINE_ARNS); nothing was started",
                    details={"dependency": "Step Functions"},
                )
            return arn
        if not (self._settings.targets.actions_function and self._settings.targets.steps_function):
            raise DependencyUnavailableError(
                "the functions a workflow's steps invoke are not configured "
                "(WORKFLOW_ACTIONS_FUNCTION_ARN, WORKFLOW_STEPS_FUNCTION_ARN); nothing was started",
                details={"dependency": "Step Functions"},
            )
        definition = self.definition(workflow)
        name = machine_name(self._settings.machine_prefix, workspace_id, workflow.id, definition)
        arn = self._machines.ensure_state_machine(name, definition)
        if arn not in workflow.state_machine_arns:
            self._store.add_state_machine(workflow, arn)
        return arn


def _kept(view: RunView) -> dict[str, Any]:
    """The view to keep on the run's item: whole, or without the steps' outputs when they are too large to keep."""
    final = view.model_dump(mode="json")
    if len(json.dumps(final).encode()) <= MAX_FINAL_BYTES:
        return final
    steps = [step.model_copy(update={"output": None}) for step in view.steps]
    return view.model_copy(update={"steps": steps, "history_truncated": True}).model_dump(mode="json")


def _not_started(run: WorkflowRun, message: str) -> dict[str, Any]:
    steps = [StepView(name=s.name, step_type=s.step_type, status=StepStatus.SKIPPED) for s in run.steps]
    view = RunView(status=RunStatus.FAILED, started_at=run.started_at, steps=steps, error="NotStarted", message=message)
    return view.model_dump(mode="json")

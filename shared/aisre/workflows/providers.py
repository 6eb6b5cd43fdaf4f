"""The workflows' parts, each built on first ask (core/scope.py): the stores, Step Functions, the built-ins, the
definition and run services (the workflows function), the Task services of the workflow-steps function (reads,
compensation plans) and of the actions function (approvals, actions, undos)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service
from aisre.remediation.providers import action_service, approval_service, reader_cluster

if TYPE_CHECKING:
    from aisre.workflows.model.definition import Workflow
    from aisre.workflows.ports import RunStore, StateMachines, WorkflowStore
    from aisre.workflows.service.action_steps import WorkflowActionSteps
    from aisre.workflows.service.definitions import WorkflowService
    from aisre.workflows.service.runs import RunService
    from aisre.workflows.service.tasks import WorkflowTasks


def builtin_workflows(scope: Scope) -> tuple[Workflow, ...]:
    from aisre.workflows.adapters.builtin_files import load_builtins

    return load_builtins()


def workflow_store(scope: Scope) -> WorkflowStore:
    from aisre.workflows.store.workflow_store import DynamoWorkflowStore

    scope.get(configured_table)
    return DynamoWorkflowStore()


def run_store(scope: Scope) -> RunStore:
    from aisre.workflows.store.run_store import DynamoRunStore

    scope.get(configured_table)
    return DynamoRunStore(retention=timedelta(days=scope.settings.workflow_run_retention_days))


def state_machines(scope: Scope) -> StateMachines:
    from aisre.workflows.adapters.step_functions import StepFunctionsMachines

    settings = scope.settings
    return StepFunctionsMachines(settings.aws_region, settings.aws_endpoint_url, settings.workflow_role_arn)


def workflow_service(scope: Scope) -> WorkflowService:
    from aisre.workflows.service.definitions import WorkflowService

    return WorkflowService(scope.get(workflow_store), scope.get(builtin_workflows), scope.get(state_machines))


def run_service(scope: Scope) -> RunService:
    from aisre.workflows.model.compiler import Targets
    from aisre.workflows.service.runs import RunService, RunSettings

    settings = scope.settings
    builtin = dict(
        entry.split("=", 1) for entry in settings.workflow_state_machine_arns.split(",") if "=" in entry.strip()
    )
    run_settings = RunSettings(
        builtin_state_machines={key.strip(): value.strip() for key, value in builtin.items()},
        targets=Targets(settings.workflow_actions_function_arn, settings.workflow_steps_function_arn),
        machine_prefix=settings.workflow_machine_prefix,
        # A little past the approval's own expiry: a decision in its last second still finds the run waiting.
        approval_timeout_seconds=settings.approval_expiry_seconds + 60,
    )
    return RunService(
        scope.get(workflow_service),
        scope.get(workflow_store),
        scope.get(run_store),
        scope.get(state_machines),
        scope.get(incident_service),
        run_settings,
    )


def workflow_tasks(scope: Scope) -> WorkflowTasks:
    """The workflow-steps function's: reads under the read-only identity, compensation plans from the history."""
    from aisre.workflows.service.tasks import WorkflowTasks

    return WorkflowTasks(scope.get(reader_cluster), scope.get(state_machines))


def workflow_action_steps(scope: Scope) -> WorkflowActionSteps:
    """The actions function's: a workflow's approvals, actions and undos, through ActionService."""
    from aisre.workflows.service.action_steps import WorkflowActionSteps

    return WorkflowActionSteps(scope.get(action_service), scope.get(approval_service))

"""Workflows (seed 001): list them, run one (a Step Functions execution), follow a run step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path

from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.workflows.api.schemas import RunStarted, RunStatusPublic, WorkflowCatalog, WorkflowExecute
from aisre.workflows.providers import run_service, workflow_service

if TYPE_CHECKING:
    from aisre.workflows.model.definition import Workflow
    from aisre.workflows.model.runs import RunView, WorkflowRun
    from aisre.workflows.service.definitions import WorkflowService
    from aisre.workflows.service.runs import RunService

WorkflowsDep = Annotated["WorkflowService", provide(workflow_service)]
RunsDep = Annotated["RunService", provide(run_service)]
WorkflowId = Annotated[str, Path(max_length=64, description="A built-in's id (oom_recovery) or a workflow's (wf-...)")]
RunId = Annotated[str, Path(max_length=64, description="The run_id the execute answered")]

router = ApiRouter(tags=["workflows"])


def workflow_summary(workflow: Workflow) -> dict[str, Any]:
    return {
        "id": workflow.id,
        "name": workflow.name,
        "description": workflow.description,
        "step_count": len(workflow.steps),
        "builtin": workflow.builtin,
        "workspace_id": workflow.workspace_id,
    }


def run_started(run: WorkflowRun) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "workflow_id": run.workflow_id,
        "workflow_name": run.workflow_name,
        "status": run.status.value,
        "dry_run": run.dry_run,
        "context": run.context,
        "incident_id": run.incident_id,
        "started_at": run.started_at,
        "status_url": f"/workflows/{run.id}/status",
    }


def run_status(run: WorkflowRun, view: RunView) -> dict[str, Any]:
    body = view.model_dump(mode="json", exclude_none=True)
    body["steps"] = [step.model_dump(mode="json", exclude_none=True) for step in view.steps]
    return {
        "run_id": run.id,
        "workflow_id": run.workflow_id,
        "workflow_name": run.workflow_name,
        "dry_run": run.dry_run,
        "context": run.context,
        "incident_id": run.incident_id,
        "started_by": run.principal,
        **body,
    }


@router.get("/workflows", response_model=WorkflowCatalog, responses=error_responses(*READ_ERRORS))
def list_workflows(workflows: WorkflowsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The built-in workflows (oom_recovery, crashloop_triage), then the workspace's own (/api/v1/workflows)."""
    found = workflows.list_workflows(workspace)
    return {"workflows": [workflow_summary(workflow) for workflow in found], "count": len(found)}


@router.post(
    "/workflows/{workflow_id}/execute",
    status_code=202,
    response_model=RunStarted,
    responses=error_responses(
        400,
        413,
        *READ_ERRORS,
        _404="No such workflow (or incident_id) in the workspace",
        _422="The context lacks a field a step needs, or has one that is not usable: `error.field` names it and "
        "`error.details.step` the step",
    ),
)
def execute_workflow(
    workflow_id: WorkflowId, body: WorkflowExecute, runs: RunsDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    """Run a workflow: its state machine starts and the answer is 202 with the run's id. A dry run (the default)
    makes every read and policy check and writes nothing; a real run waits at each write for a person's approval
    (GET /approvals; the step shows its approval_id), then carries it out once; a failure undoes what can be undone
    (a scale is scaled back) and fails the run."""
    run = runs.execute(
        workspace, workflow_id, body.context, who.principal, dry_run=body.dry_run, incident_id=body.incident_id
    )
    return run_started(run)


@router.get(
    "/workflows/{run_id}/status",
    response_model=RunStatusPublic,
    responses=error_responses(*READ_ERRORS, _404="No such run in the workspaces the key sees"),
)
def workflow_run_status(run_id: RunId, runs: RunsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The run and each step: its status (waiting_approval with the approval's id, succeeded, failed...), its
    output, and how it was undone when the run failed; read from the execution's history."""
    run, view = runs.status(workspace, run_id)
    return run_status(run, view)

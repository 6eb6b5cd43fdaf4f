"""A workspace's own workflows (seed 002, under /api/v1): create one from catalog steps, read it with its steps and
the state machine it compiles to, add steps, delete it. Run one with POST /workflows/{id}/execute (seed 001)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path

from aisre.core.errors import ValidationError
from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.workflows.api.schemas import (
    StepCreate,
    WorkflowCreate,
    WorkflowDeleted,
    WorkflowDetail,
    WorkflowList,
    WorkflowPublic,
)
from aisre.workflows.providers import run_service, workflow_service

if TYPE_CHECKING:
    from aisre.workflows.model.definition import Workflow, WorkflowStep
    from aisre.workflows.service.definitions import WorkflowService
    from aisre.workflows.service.runs import RunService

WorkflowsDep = Annotated["WorkflowService", provide(workflow_service)]
RunsDep = Annotated["RunService", provide(run_service)]
WorkflowId = Annotated[str, Path(max_length=64, description="A workflow's id (wf-...), or a built-in's")]
MAX_CONFIG_BYTES = 16_384

router = ApiRouter(prefix="/api/v1", tags=["workflows"])

_CHANGE_ERRORS = error_responses(
    400,
    409,
    413,
    *READ_ERRORS,
    _404="No such workflow in the workspaces the key sees",
    _409="A built-in workflow cannot be changed; or the workflow changed meanwhile (read it again)",
    _422="A step at fault: unknown step type, a config field its type does not take, a dependency that is not a "
    "step, a cycle in depends_on (`error.details.step` names the step)",
)


def workflow_public(workflow: Workflow) -> dict[str, Any]:
    from aisre.workflows.model.definition import dependencies

    after = dependencies(workflow.steps)
    return {
        "id": workflow.id,
        "name": workflow.name,
        "description": workflow.description,
        "builtin": workflow.builtin,
        "workspace_id": workflow.workspace_id,
        "is_template": workflow.is_template,
        "config": workflow.config,
        "steps": [
            {
                "name": step.name,
                "step_type": step.step_type,
                "order": step.order,
                "config": step.config,
                "depends_on": list(step.depends_on) if step.depends_on is not None else None,
                "after": list(after[step.name]),
                "agent_id": step.agent_id,
                "description": step.description,
            }
            for step in workflow.steps
        ],
        "step_count": len(workflow.steps),
        "created_by": workflow.created_by,
        "created_at": workflow.created_at,
        "updated_at": workflow.updated_at,
        "version": workflow.version,
    }


def _step(body: StepCreate, default_order: int) -> WorkflowStep:
    from aisre.workflows.model.definition import WorkflowStep

    return WorkflowStep(
        name=body.name,
        step_type=body.step_type,
        order=default_order if body.order is None else body.order,
        config=body.config,
        depends_on=tuple(body.depends_on) if body.depends_on is not None else None,
        agent_id=body.agent_id,
        description=body.description,
    )


# Seed 002 spells the collection with a trailing slash; the same routes answer without it (undocumented), since a
# redirect from behind API Gateway's stage prefix would point outside the API.
@router.get("/workflows", response_model=WorkflowList, include_in_schema=False)
@router.get("/workflows/", response_model=WorkflowList, responses=error_responses(*READ_ERRORS))
def list_workflow_definitions(workflows: WorkflowsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The built-in workflows, then the workspace's own, newest first."""
    found = workflows.list_workflows(workspace)
    return {"workflows": [workflow_public(workflow) for workflow in found], "count": len(found)}


@router.post("/workflows", status_code=201, response_model=WorkflowPublic, include_in_schema=False)
@router.post("/workflows/", status_code=201, response_model=WorkflowPublic, responses=_CHANGE_ERRORS)
def create_workflow(
    body: WorkflowCreate, workflows: WorkflowsDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    """A workflow of the workspace's own, with steps from the catalog (here, or added later): checked as a whole."""
    if len(json.dumps(body.config).encode()) > MAX_CONFIG_BYTES:
        raise ValidationError(f"config is larger than {MAX_CONFIG_BYTES} bytes", field="config")
    steps = [_step(step, index + 1) for index, step in enumerate(body.steps)]
    workflow = workflows.create(
        workspace,
        who.principal,
        name=body.name,
        description=body.description,
        is_template=body.is_template,
        config=body.config,
        steps=steps,
    )
    return workflow_public(workflow)


@router.get(
    "/workflows/{workflow_id}",
    response_model=WorkflowDetail,
    responses=error_responses(*READ_ERRORS, _404="No such workflow in the workspaces the key sees"),
)
def get_workflow_definition(
    workflow_id: WorkflowId, workflows: WorkflowsDep, runs: RunsDep, workspace: ReadWorkspace
) -> dict[str, Any]:
    """The workflow with all its steps, and the Amazon States Language definition it runs as."""
    workflow = workflows.get(workspace, workflow_id)
    return workflow_public(workflow) | {"definition": runs.definition(workflow)}


@router.post("/workflows/{workflow_id}/steps", status_code=201, response_model=WorkflowPublic, responses=_CHANGE_ERRORS)
def add_workflow_step(
    workflow_id: WorkflowId, body: StepCreate, workflows: WorkflowsDep, workspace: ReadWorkspace
) -> dict[str, Any]:
    """Add a step (by default after the last one); the workflow with it is checked as a whole."""
    current = workflows.get(workspace, workflow_id)
    last = max((step.order for step in current.steps), default=0)
    workflow = workflows.add_step(workspace, workflow_id, _step(body, last + 1))
    return workflow_public(workflow)


@router.delete(
    "/workflows/{workflow_id}",
    response_model=WorkflowDeleted,
    responses=error_responses(
        409, *READ_ERRORS, _404="No such workflow in the workspaces the key sees", _409="A built-in workflow"
    ),
)
def delete_workflow(workflow_id: WorkflowId, workflows: WorkflowsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """Delete the workflow and the state machines compiled for it; its runs stay readable."""
    workflow = workflows.delete(workspace, workflow_id)
    return {"id": workflow.id, "deleted": True}

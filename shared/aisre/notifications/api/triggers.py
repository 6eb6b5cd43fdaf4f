"""Triggers (seed 002 /api/v1/triggers): when an event of a type, with the given severity, service or labels,
happens, notify a channel, investigate the incident, or run a workflow; each run is kept in the trigger's history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Body, Path, Query

from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.notifications.api.hooks_schemas import (
    TriggerCreate,
    TriggerDeleted,
    TriggerHistory,
    TriggerList,
    TriggerPublic,
    TriggerToggle,
    TriggerUpdate,
)
from aisre.notifications.providers import trigger_service

if TYPE_CHECKING:
    from aisre.notifications.model.triggers import Trigger, TriggerRun
    from aisre.notifications.service.triggers import TriggerService

TriggersDep = Annotated["TriggerService", provide(trigger_service)]
TriggerId = Annotated[str, Path(max_length=64, description="The id the create answered (trg-...)")]

router = ApiRouter(prefix="/api/v1", tags=["triggers"])

_NOT_FOUND = "No such trigger in the workspaces the key sees"
_BAD_TRIGGER = (
    "A field that cannot be used, named in `error.field`: type (not an event type), config.<key> (an unknown "
    "condition, a severity that is not one), action.type (not notify, investigate or run_workflow), "
    "action.channel_id / action.workflow_id (missing, or not in the workspace)"
)
_CHANGE_ERRORS = error_responses(
    400, 409, 413, *READ_ERRORS, _404=_NOT_FOUND, _409="Changed meanwhile, or too many triggers", _422=_BAD_TRIGGER
)


def trigger_public(trigger: Trigger) -> dict[str, Any]:
    return {
        "id": trigger.id,
        "workspace_id": trigger.workspace_id,
        "name": trigger.name,
        "type": trigger.event_type,
        "config": trigger.conditions.to_config(),
        "action": trigger.action.to_dict(),
        "enabled": trigger.enabled,
        "description": trigger.description,
        "created_by": trigger.created_by,
        "created_at": trigger.created_at,
        "updated_at": trigger.updated_at,
        "version": trigger.version,
    }


def run_public(run: TriggerRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "at": run.at,
        "event_id": run.event_id,
        "event_type": run.event_type,
        "incident_id": run.incident_id,
        "action": dict(run.action),
        "outcome": run.outcome.value,
        "detail": run.detail,
        "error": run.error,
        "reference": run.reference,
    }


# The collection answers with a trailing slash too (undocumented), as /api/v1/webhooks does.
@router.get("/triggers/", response_model=TriggerList, include_in_schema=False)
@router.get("/triggers", response_model=TriggerList, responses=error_responses(*READ_ERRORS))
def list_triggers(triggers: TriggersDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The workspace's triggers, newest first."""
    found = triggers.list_triggers(workspace)
    return {"triggers": [trigger_public(trigger) for trigger in found], "count": len(found)}


@router.post("/triggers/", status_code=201, response_model=TriggerPublic, include_in_schema=False)
@router.post("/triggers", status_code=201, response_model=TriggerPublic, responses=_CHANGE_ERRORS)
def create_trigger(
    body: TriggerCreate, triggers: TriggersDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    """A trigger: the event type it listens to, its conditions (`config`) and its `action`; the channel or
    workflow the action names must exist in the workspace."""
    trigger = triggers.create(
        workspace,
        who.principal,
        name=body.name,
        type=body.type,
        config=body.config,
        action=body.action,
        enabled=body.enabled,
        description=body.description,
    )
    return trigger_public(trigger)


@router.get(
    "/triggers/{trigger_id}", response_model=TriggerPublic, responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND)
)
def get_trigger(trigger_id: TriggerId, triggers: TriggersDep, workspace: ReadWorkspace) -> dict[str, Any]:
    return trigger_public(triggers.get(workspace, trigger_id))


@router.put("/triggers/{trigger_id}", response_model=TriggerPublic, responses=_CHANGE_ERRORS)
def update_trigger(
    trigger_id: TriggerId, body: TriggerUpdate, triggers: TriggersDep, workspace: ReadWorkspace
) -> dict[str, Any]:
    """Change the fields sent; `config` and `action` are replaced whole, and checked as at creation."""
    from aisre.notifications.service.triggers import TriggerChanges

    changes = TriggerChanges(
        name=body.name,
        type=body.type,
        config=body.config,
        action=body.action,
        enabled=body.enabled,
        description=body.description,
    )
    return trigger_public(triggers.update(workspace, trigger_id, changes))


@router.delete(
    "/triggers/{trigger_id}", response_model=TriggerDeleted, responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND)
)
def delete_trigger(trigger_id: TriggerId, triggers: TriggersDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """It runs no more; its history ages out."""
    trigger = triggers.delete(workspace, trigger_id)
    return {"id": trigger.id, "deleted": True}


@router.post(
    "/triggers/{trigger_id}/toggle",
    response_model=TriggerPublic,
    responses=error_responses(400, 409, *READ_ERRORS, _404=_NOT_FOUND, _409="Changed meanwhile"),
)
def toggle_trigger(
    trigger_id: TriggerId,
    triggers: TriggersDep,
    workspace: ReadWorkspace,
    body: Annotated[TriggerToggle | None, Body()] = None,
) -> dict[str, Any]:
    """Enable a disabled trigger, or disable an enabled one; `{"enabled": ...}` sets it instead."""
    enabled = body.enabled if body is not None else None
    return trigger_public(triggers.toggle(workspace, trigger_id, enabled))


@router.get(
    "/triggers/{trigger_id}/history",
    response_model=TriggerHistory,
    responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND),
)
def trigger_history(
    trigger_id: TriggerId,
    triggers: TriggersDep,
    workspace: ReadWorkspace,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The trigger's runs, newest first: the event that matched, the action, its outcome, what it made or why it
    failed (kept NOTIFICATION_RETENTION_DAYS)."""
    trigger, runs = triggers.history(workspace, trigger_id, limit)
    return {"trigger_id": trigger.id, "runs": [run_public(run) for run in runs], "count": len(runs)}

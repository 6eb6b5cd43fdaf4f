"""Incidents: list, detail, timeline, metrics, actions, group, deploy correlation, lifecycle, activity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Body, Query

from aisre.core.auth import Caller
from aisre.core.http.deps import CallerDep, ReadWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.incidents.api.schemas import (
    ActivityList,
    DeployCorrelationResponse,
    IncidentActions,
    IncidentDetail,
    IncidentGroup,
    IncidentList,
    IncidentMetrics,
    IncidentPublic,
    IncidentTimeline,
    IncidentTransition,
    IncidentTransitioned,
    NoisyIncidents,
)
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState, TimelineEvent
from aisre.incidents.model.noisy import NOISY_MAX_DURATION_MINUTES
from aisre.incidents.providers import incident_service
from aisre.incidents.service.lifecycle import IncidentService

IncidentsDep = Annotated[IncidentService, provide(incident_service)]

router = ApiRouter(tags=["incidents"])

_LIST_ERRORS = error_responses(*READ_ERRORS)
_ONE_ERRORS = error_responses(404, *READ_ERRORS)
_TRANSITION_ERRORS = error_responses(400, 404, 409, 413, *READ_ERRORS)


def incident_public(incident: Incident) -> IncidentPublic:
    return IncidentPublic.model_validate(incident)


def event_public(event: TimelineEvent) -> dict[str, Any]:
    return event.model_dump(exclude={"incident_id"})


def action_public(action: ActionRecord) -> dict[str, Any]:
    return action.model_dump()


@router.get("/incidents", response_model=IncidentList, responses=_LIST_ERRORS)
def list_incidents(
    service: IncidentsDep,
    workspace: ReadWorkspace,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    state: IncidentState | None = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Incidents, newest first."""
    page = service.list_incidents(workspace, state, limit, cursor)
    return {
        "incidents": [incident_public(item) for item in page.items],
        "count": len(page.items),
        "next_cursor": page.cursor,
    }


@router.get("/incidents/noisy", response_model=NoisyIncidents, responses=_LIST_ERRORS)
def list_noisy_incidents(
    service: IncidentsDep,
    workspace: ReadWorkspace,
    max_duration_minutes: Annotated[float, Query(gt=0, le=NOISY_MAX_DURATION_MINUTES)] = 5.0,
    lookback_hours: Annotated[int, Query(ge=1, le=24 * 30)] = 24 * 7,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Incidents resolved in the last `lookback_hours` within `max_duration_minutes` with no action taken
    (none listed by /incidents/{id}/actions: no acknowledge, resolve or remediation by anyone), newest first:
    alert-threshold candidates."""
    noisy = service.noisy(workspace, max_duration_minutes, lookback_hours, limit)
    return {
        "noisy_incidents": [
            {
                "id": item.id,
                "title": item.title,
                "severity": item.severity,
                "state": IncidentState.RESOLVED,
                "service": item.service,
                "created_at": item.created_at,
                "resolved_at": item.resolved_at,
                "duration_minutes": item.duration_minutes(),
                "alert_count": item.alert_count,
            }
            for item in noisy
        ],
        "count": len(noisy),
        "max_duration_minutes": max_duration_minutes,
        "note": "These incidents resolved with no actions -- review alert thresholds.",
    }


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, responses=_ONE_ERRORS)
def get_incident(incident_id: str, service: IncidentsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    incident, metrics, actions = service.detail(workspace, incident_id)
    return {"incident": incident_public(incident), "metrics": metrics, "actions": [action_public(a) for a in actions]}


@router.get("/incidents/{incident_id}/timeline", response_model=IncidentTimeline, responses=_ONE_ERRORS)
def get_incident_timeline(
    incident_id: str,
    service: IncidentsDep,
    workspace: ReadWorkspace,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Events oldest first: alerts received, creation, grouping, deploy correlation, lifecycle."""
    page = service.timeline(workspace, incident_id, limit, cursor)
    return {
        "incident_id": incident_id,
        "events": [event_public(event) for event in page.items],
        "count": len(page.items),
        "next_cursor": page.cursor,
    }


@router.get("/incidents/{incident_id}/metrics", response_model=IncidentMetrics, responses=_ONE_ERRORS)
def get_incident_metrics(incident_id: str, service: IncidentsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    incident, summary, timeline = service.metrics(workspace, incident_id)
    return {"incident_id": incident.id, "summary": summary, "timeline": timeline}


@router.get("/incidents/{incident_id}/actions", response_model=IncidentActions, responses=_ONE_ERRORS)
def list_incident_actions(incident_id: str, service: IncidentsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    actions = service.actions(workspace, incident_id)
    return {"incident_id": incident_id, "actions": [action_public(a) for a in actions], "count": len(actions)}


@router.get("/incidents/{incident_id}/group", response_model=IncidentGroup, responses=_ONE_ERRORS)
def get_incident_group(incident_id: str, service: IncidentsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The incident's parent (if it was grouped) and its children (if others were grouped under it)."""
    return service.group(workspace, incident_id)


@router.get(
    "/incidents/{incident_id}/deploy-correlation", response_model=DeployCorrelationResponse, responses=_ONE_ERRORS
)
def get_deploy_correlation(
    incident_id: str,
    service: IncidentsDep,
    workspace: ReadWorkspace,
    lookback_minutes: Annotated[int, Query(ge=1, le=24 * 60)] = 30,
) -> dict[str, Any]:
    return service.deploy_correlation(workspace, incident_id, lookback_minutes)


@router.post("/incidents/{incident_id}/acknowledge", response_model=IncidentTransitioned, responses=_TRANSITION_ERRORS)
def acknowledge_incident(
    incident_id: str,
    service: IncidentsDep,
    workspace: ReadWorkspace,
    who: CallerDep,
    body: Annotated[IncidentTransition | None, Body()] = None,
) -> dict[str, Any]:
    """open -> acknowledged (409 from any other state)."""
    return _transition(service.acknowledge, workspace, incident_id, who, body)


@router.post("/incidents/{incident_id}/resolve", response_model=IncidentTransitioned, responses=_TRANSITION_ERRORS)
def resolve_incident(
    incident_id: str,
    service: IncidentsDep,
    workspace: ReadWorkspace,
    who: CallerDep,
    body: Annotated[IncidentTransition | None, Body()] = None,
) -> dict[str, Any]:
    """open or acknowledged -> resolved (409 when already resolved)."""
    return _transition(service.resolve, workspace, incident_id, who, body)


def _transition(
    move: Callable[[str | None, str, str, str | None], Incident],
    workspace: str | None,
    incident_id: str,
    who: Caller,
    body: IncidentTransition | None,
) -> dict[str, Any]:
    request = body or IncidentTransition()
    incident = move(workspace, incident_id, request.actor or f"api-key:{who.key_id}", request.note)
    return {"ok": True, "incident": incident_public(incident)}


@router.get("/activity", response_model=ActivityList, responses=_LIST_ERRORS)
def list_activity(
    service: IncidentsDep, workspace: ReadWorkspace, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> dict[str, Any]:
    """Recent actions across incidents, newest first."""
    activity = service.activity(workspace, limit)
    return {"activity": [action_public(a) for a in activity], "count": len(activity)}

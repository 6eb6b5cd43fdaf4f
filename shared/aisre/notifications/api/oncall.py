"""On-call (seed 001 "On-Call", issue #13): schedules (CRUD, their shifts over a window, an iCalendar export),
escalation policies (CRUD), who is on call for a service now, and the preview of an escalation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path, Query, Response
from starlette.concurrency import run_in_threadpool

from aisre.core.http.deps import CallerDep, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.notifications.api.oncall_schemas import (
    CurrentOnCallPublic,
    Deleted,
    EscalationPreviewPublic,
    PolicyIn,
    PolicyList,
    PolicyPublic,
    ScheduleIn,
    ScheduleList,
    SchedulePublic,
    ShiftList,
)
from aisre.notifications.api.oncall_shapes import (
    current_public,
    policy_public,
    preview_public,
    schedule_public,
    shift_public,
)
from aisre.notifications.providers import escalation_policy_service, oncall_service

if TYPE_CHECKING:
    from aisre.notifications.service.escalation_policies import EscalationPolicyService
    from aisre.notifications.service.oncall import OnCallService

OnCallDep = Annotated["OnCallService", provide(oncall_service)]
PoliciesDep = Annotated["EscalationPolicyService", provide(escalation_policy_service)]
ScheduleId = Annotated[str, Path(max_length=64, description="A schedule's id (sch-...)")]
PolicyId = Annotated[str, Path(max_length=64, description="An escalation policy's id (pol-...)")]
Limit = Annotated[int, Query(ge=1, le=200, description="At most this many")]
Cursor = Annotated[str | None, Query(max_length=2048, description="The next_cursor of the previous page")]
Service = Annotated[str, Query(min_length=1, max_length=128, description="A service an escalation policy names")]
From = Annotated[
    datetime | None, Query(alias="from", description="ISO 8601 with a UTC offset (%2B in a URL); now by default")
]
To = Annotated[
    datetime | None, Query(alias="to", description="ISO 8601 with a UTC offset; the window is 93 days at most")
]

router = ApiRouter(tags=["on-call"])

_SCHEDULE = "No such schedule in the workspace"
_POLICY = "No such escalation policy in the workspace"
_SCHEDULE_CHANGE = error_responses(
    400,
    *READ_ERRORS,
    _422="A field at fault, named: an unknown time zone (`time_zone`), a rotation without participants "
    "(`layers[0].participants`), overlapping overrides (`overrides[1]`) ...; nothing is stored",
)
_POLICY_CHANGE = error_responses(
    400,
    409,
    *READ_ERRORS,
    _409="A service it names is another policy's already (`error.field` names it, `error.details.policy_id` the "
    "policy); or the policy changed meanwhile",
    _422="A field at fault, named: a schedule that does not exist (`levels[0].targets[0].schedule`), no levels ...; "
    "nothing is stored",
)


# -- schedules --------------------------------------------------------------------------------------------------


@router.post("/oncall/schedules", status_code=201, response_model=SchedulePublic, responses=_SCHEDULE_CHANGE)
def create_schedule(body: ScheduleIn, oncall: OnCallDep, workspace: WriteWorkspace, who: CallerDep) -> dict[str, Any]:
    """A schedule of the workspace: checked whole (every refusal names its field) before it is stored."""
    return schedule_public(oncall.create_schedule(workspace, body.model_dump(exclude_none=True), who.principal))


@router.get("/oncall/schedules", response_model=ScheduleList, responses=error_responses(*READ_ERRORS))
def list_schedules(
    oncall: OnCallDep, workspace: WriteWorkspace, limit: Limit = 100, cursor: Cursor = None
) -> dict[str, Any]:
    page = oncall.list_schedules(workspace, limit, cursor)
    listed: dict[str, Any] = {"schedules": [schedule_public(item) for item in page.items], "count": len(page.items)}
    if page.cursor:
        listed["next_cursor"] = page.cursor
    return listed


# Before /oncall/schedules/{schedule_id}: that one's parameter would take "sch-....ics" whole.
@router.get(
    "/oncall/schedules/{schedule_id}.ics",
    response_class=Response,
    responses={
        200: {
            "description": "The shifts as iCalendar (RFC 5545): a VEVENT per shift in the schedule's time zone",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        **error_responses(*READ_ERRORS, _404=_SCHEDULE),
    },
)
async def export_schedule_calendar(
    schedule_id: ScheduleId, oncall: OnCallDep, workspace: WriteWorkspace, start: From = None, end: To = None
) -> Response:
    """The shifts as a calendar to subscribe to: by default from a week ago for 93 days."""
    calendar = await run_in_threadpool(oncall.calendar, workspace, schedule_id, start, end)
    return Response(
        calendar,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{schedule_id}.ics"'},
    )


@router.get(
    "/oncall/schedules/{schedule_id}",
    response_model=SchedulePublic,
    responses=error_responses(*READ_ERRORS, _404=_SCHEDULE),
)
def get_schedule(schedule_id: ScheduleId, oncall: OnCallDep, workspace: WriteWorkspace) -> dict[str, Any]:
    return schedule_public(oncall.get_schedule(workspace, schedule_id))


@router.put(
    "/oncall/schedules/{schedule_id}",
    response_model=SchedulePublic,
    responses={**_SCHEDULE_CHANGE, **error_responses(409, _409="The schedule changed meanwhile; read it again")},
)
def replace_schedule(
    schedule_id: ScheduleId, body: ScheduleIn, oncall: OnCallDep, workspace: WriteWorkspace
) -> dict[str, Any]:
    """The schedule's whole document replaced; the policies that name it keep paging it."""
    return schedule_public(oncall.replace_schedule(workspace, schedule_id, body.model_dump(exclude_none=True)))


@router.delete(
    "/oncall/schedules/{schedule_id}",
    response_model=Deleted,
    responses=error_responses(
        409, *READ_ERRORS, _404=_SCHEDULE, _409="An escalation policy names it (`error.details.policies`)"
    ),
)
def delete_schedule(schedule_id: ScheduleId, oncall: OnCallDep, workspace: WriteWorkspace) -> dict[str, Any]:
    return {"id": oncall.delete_schedule(workspace, schedule_id).id, "deleted": True}


@router.get(
    "/oncall/schedules/{schedule_id}/shifts",
    response_model=ShiftList,
    responses=error_responses(*READ_ERRORS, _404=_SCHEDULE, _422="from or to without a UTC offset, or too far apart"),
)
def list_shifts(
    schedule_id: ScheduleId, oncall: OnCallDep, workspace: WriteWorkspace, start: From = None, end: To = None
) -> dict[str, Any]:
    """Who is on call from `from` to `to` (by default the next 14 days): overrides over layers, later layers over
    earlier ones; stretches nobody covers are left out. Each shift's start and end are in the schedule's zone."""
    schedule, begins, ends, shifts = oncall.shifts(workspace, schedule_id, start, end)
    return {
        "schedule_id": schedule.id,
        "time_zone": schedule.spec.time_zone,
        "from": begins,
        "to": ends,
        "shifts": [shift_public(shift, schedule) for shift in shifts],
        "count": len(shifts),
    }


# -- escalation policies ----------------------------------------------------------------------------------------


@router.post("/oncall/escalation-policies", status_code=201, response_model=PolicyPublic, responses=_POLICY_CHANGE)
def create_escalation_policy(
    body: PolicyIn, policies: PoliciesDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    return policy_public(policies.create_policy(workspace, body.model_dump(exclude_none=True), who.principal))


@router.get("/oncall/escalation-policies", response_model=PolicyList, responses=error_responses(*READ_ERRORS))
def list_escalation_policies(
    policies: PoliciesDep, workspace: WriteWorkspace, limit: Limit = 100, cursor: Cursor = None
) -> dict[str, Any]:
    page = policies.list_policies(workspace, limit, cursor)
    listed: dict[str, Any] = {"policies": [policy_public(item) for item in page.items], "count": len(page.items)}
    if page.cursor:
        listed["next_cursor"] = page.cursor
    return listed


@router.get(
    "/oncall/escalation-policies/{policy_id}",
    response_model=PolicyPublic,
    responses=error_responses(*READ_ERRORS, _404=_POLICY),
)
def get_escalation_policy(policy_id: PolicyId, policies: PoliciesDep, workspace: WriteWorkspace) -> dict[str, Any]:
    return policy_public(policies.get_policy(workspace, policy_id))


@router.put("/oncall/escalation-policies/{policy_id}", response_model=PolicyPublic, responses=_POLICY_CHANGE)
def replace_escalation_policy(
    policy_id: PolicyId, body: PolicyIn, policies: PoliciesDep, workspace: WriteWorkspace
) -> dict[str, Any]:
    return policy_public(policies.replace_policy(workspace, policy_id, body.model_dump(exclude_none=True)))


@router.delete(
    "/oncall/escalation-policies/{policy_id}",
    response_model=Deleted,
    responses=error_responses(409, *READ_ERRORS, _404=_POLICY, _409="The policy changed meanwhile; read it again"),
)
def delete_escalation_policy(policy_id: PolicyId, policies: PoliciesDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """Its services are free for another policy; the schedules it named may be deleted."""
    return {"id": policies.delete_policy(workspace, policy_id).id, "deleted": True}


# -- who is on call ---------------------------------------------------------------------------------------------


@router.get(
    "/oncall/current",
    response_model=CurrentOnCallPublic,
    responses=error_responses(*READ_ERRORS, _404="No escalation policy names the service"),
)
def get_current_oncall(service: Service, policies: PoliciesDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """The service's escalation policy, its first level's schedule, and who that schedule has on call now."""
    return current_public(service, policies.current(workspace, service))


@router.get(
    "/notifications/escalation",
    response_model=EscalationPreviewPublic,
    responses=error_responses(*READ_ERRORS, _404="No escalation policy names the service"),
)
def preview_escalation(
    service: Service,
    policies: PoliciesDep,
    workspace: WriteWorkspace,
    minutes_elapsed: Annotated[float, Query(ge=0, le=525_600, description="Minutes since the incident opened")] = 0,
) -> dict[str, Any]:
    """Who an incident of the service has paged `minutes_elapsed` after it opened, and who is paged next and when
    unless someone acknowledges (the schedules' on-call people as they stand now)."""
    return preview_public(service, minutes_elapsed, policies.preview(workspace, service, minutes_elapsed))

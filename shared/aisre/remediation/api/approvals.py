"""Approvals (seed 002): ask for one, list and read them, approve (which carries the action out, once) or reject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Body, Query

from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.remediation.api.actions import execution_public
from aisre.remediation.api.schemas import (
    ApprovalApproved,
    ApprovalCreate,
    ApprovalDecision,
    ApprovalDetail,
    ApprovalList,
    ApprovalPublic,
    ApprovalRejected,
)
from aisre.remediation.providers import action_service, approval_service

if TYPE_CHECKING:
    from aisre.remediation.model.approvals import Approval
    from aisre.remediation.service.actions import ActionService
    from aisre.remediation.service.approvals import ApprovalService

ApprovalsDep = Annotated["ApprovalService", provide(approval_service)]
ActionsDep = Annotated["ActionService", provide(action_service)]

router = ApiRouter(tags=["approvals"])

_DECIDE_ERRORS = error_responses(
    400,
    403,
    404,
    409,
    413,
    *READ_ERRORS,
    _403="APPROVAL_REQUIRE_DISTINCT: who asked cannot decide; or the policy now refuses the action",
    _404="No such approval in the workspaces the key sees",
    _409="Already approved or rejected (by someone else), or expired: an approval is decided once",
)


def approval_public(approval: Approval) -> dict[str, Any]:
    # The task token is never dumped (the model excludes it); the workflow's fields only where there is one.
    workflow = approval.workflow_run_id is not None
    return approval.model_dump(mode="json", exclude=None if workflow else {"workflow_run_id", "workflow_step"})


@router.post(
    "/approvals",
    status_code=201,
    response_model=ApprovalPublic,
    responses=error_responses(400, 403, 413, *READ_ERRORS, _404="The incident_id is not in the workspace"),
)
def create_approval(body: ApprovalCreate, actions: ActionsDep, workspace: WriteWorkspace, who: CallerDep) -> Any:
    """Ask for an approval of an action (the fields of /actions/execute), or of a diagnosis' suggested action
    (`arguments` as the diagnosis shows them, with `incident_id`): the policy judges it first; once approved it is
    carried out."""
    from aisre.remediation.model.requests import action_request

    fields = body.model_dump(exclude={"action", "incident_id", "arguments", "note", "dry_run"})
    if body.arguments is not None:
        fields = {**{key: value for key, value in fields.items() if value in ("", None)}, **body.arguments}
    request = action_request(body.action, fields, incident_id=body.incident_id, dry_run=body.dry_run)
    approval = actions.request_approval(
        workspace, request, who.principal, note=body.note, for_suggestion=body.arguments is not None
    )
    return approval_public(approval)


@router.get("/approvals", response_model=ApprovalList, responses=error_responses(*READ_ERRORS))
def list_approvals(
    approvals: ApprovalsDep,
    workspace: ReadWorkspace,
    status: Literal["pending", "approved", "rejected", "expired"] = "pending",
    incident_id: Annotated[
        str | None, Query(max_length=128, description="Every approval asked for this incident's actions")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Pending approval requests by default (those not yet expired), newest first; `status` for the others.
    With `incident_id`: every approval of that incident, oldest first, whatever its status."""
    from aisre.remediation.model.approvals import ApprovalStatus

    if incident_id is not None:
        items = approvals.of_incident(workspace, incident_id)
        return {"approvals": [approval_public(item) for item in items], "count": len(items), "next_cursor": None}
    page = approvals.list_approvals(workspace, ApprovalStatus(status), limit, cursor)
    return {
        "approvals": [approval_public(item) for item in page.items],
        "count": len(page.items),
        "next_cursor": page.cursor,
    }


@router.get("/approvals/{approval_id}", response_model=ApprovalDetail, responses=error_responses(404, *READ_ERRORS))
def get_approval(approval_id: str, approvals: ApprovalsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    """The request, who asked and who decided, and what approving it did."""
    approval, execution = approvals.get(workspace, approval_id)
    return approval_public(approval) | {"execution": execution_public(execution) if execution else None}


@router.post(
    "/approvals/{approval_id}/approve",
    response_model=ApprovalApproved,
    responses={
        **_DECIDE_ERRORS,
        **error_responses(429, _429="Approved, but the action's rate limit is spent: approve again after Retry-After"),
    },
)
def approve_approval(
    approval_id: str,
    approvals: ApprovalsDep,
    workspace: ReadWorkspace,
    who: CallerDep,
    body: Annotated[ApprovalDecision | None, Body()] = None,
) -> dict[str, Any]:
    """Approve, and carry the action out, exactly once; `result` is what it did (calling again answers the
    same result). A workflow step's approval resumes its run instead (`workflow`), which carries it out, once."""
    from aisre.remediation.model.approvals import Resumption

    comment = body.comment if body else None
    approval, outcome = approvals.approve(
        workspace, approval_id, who.principal, authenticated=who.authenticated, comment=comment
    )
    if isinstance(outcome, Resumption):
        return {"approval": approval_public(approval), "workflow": outcome.model_dump()}
    return {"approval": approval_public(approval), "result": outcome.public()}


@router.post("/approvals/{approval_id}/reject", response_model=ApprovalRejected, responses=_DECIDE_ERRORS)
def reject_approval(
    approval_id: str,
    approvals: ApprovalsDep,
    workspace: ReadWorkspace,
    who: CallerDep,
    body: Annotated[ApprovalDecision | None, Body()] = None,
) -> dict[str, Any]:
    """Reject: the action is never carried out. A workflow step's approval fails its waiting run (`workflow`), which
    undoes what it can."""
    comment = body.comment if body else None
    approval, resumption = approvals.reject(
        workspace, approval_id, who.principal, authenticated=who.authenticated, comment=comment
    )
    if resumption is not None:
        return {"approval": approval_public(approval), "workflow": resumption.model_dump()}
    return {"approval": approval_public(approval)}

"""Actions: carry out a catalog action through the policy (POST /actions/execute), and read what executions did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Header, Query
from fastapi.responses import JSONResponse

from aisre.core.http.deps import CallerDep, ReadWorkspace, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.remediation.api.schemas import ActionExecute, ActionResult, ExecutionList, ExecutionPublic
from aisre.remediation.providers import action_service

if TYPE_CHECKING:
    from aisre.remediation.model.execution import Execution
    from aisre.remediation.service.actions import ActionService

# Named as a string: the service, the policy and the catalog load with the first request, not with the router.
ActionsDep = Annotated["ActionService", provide(action_service)]

router = ApiRouter(tags=["actions"])

_EXECUTE_ERRORS = error_responses(
    400,
    403,
    409,
    413,
    429,
    *READ_ERRORS,
    _403="The policy refuses the action (`error.details`: policy_name, policy_reason, violations)",
    _404="The incident_id is not in the workspace",
    _409="The same request (or Idempotency-Key) is being carried out right now; ask again shortly",
    _422="Unknown action, a missing or malformed target field (named in `error.field`), or an Idempotency-Key "
    "reused for another request",
    _429="The action's rate limit for its namespace or target is spent: Retry-After says when to try again",
)


def execution_public(execution: Execution) -> dict[str, Any]:
    body = execution.model_dump(mode="json", exclude={"key", "fingerprint", "before", "lease_until", "reusable_after"})
    body["status"] = execution.status.value
    return body


@router.post(
    "/actions/execute",
    response_model=ActionResult,
    responses={
        **_EXECUTE_ERRORS,
        202: {"model": ActionResult, "description": "pending_approval: the policy asks a person to approve it first"},
    },
)
def execute_action(
    body: ActionExecute,
    actions: ActionsDep,
    workspace: WriteWorkspace,
    who: CallerDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Names the request: the same key again (within 24 h) answers the first outcome",
        ),
    ] = None,
) -> Any:
    """Execute a named safe action through the policy engine: a dry run by default (every check and read, no
    write); `dry_run: false` writes, once, after the approval the policy asks for (`approved: true`, or 202 with
    an approval request), then verifies the target is healthy again."""
    from aisre.remediation.model.execution import OutcomeStatus
    from aisre.remediation.model.requests import action_request

    request = action_request(
        body.action,
        body.model_dump(exclude={"action", "dry_run", "approved", "incident_id"}),
        incident_id=body.incident_id,
        dry_run=body.dry_run,
        approved=body.approved,
    )
    outcome = actions.execute(workspace, request, who.principal, idempotency_key=idempotency_key or None)
    public = outcome.public()
    if outcome.status is OutcomeStatus.PENDING_APPROVAL:
        return JSONResponse(public, status_code=202)
    return public


@router.get("/actions/executions", response_model=ExecutionList, responses=error_responses(*READ_ERRORS))
def list_executions(
    actions: ActionsDep, workspace: ReadWorkspace, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> dict[str, Any]:
    """Executions newest first: who carried out what, and what came of it."""
    executions = actions.recent_executions(workspace, limit)
    return {"executions": [execution_public(item) for item in executions], "count": len(executions)}


@router.get(
    "/actions/executions/{execution_id}",
    response_model=ExecutionPublic,
    responses=error_responses(404, *READ_ERRORS),
)
def get_execution(execution_id: str, actions: ActionsDep, workspace: ReadWorkspace) -> dict[str, Any]:
    return execution_public(actions.find_execution(workspace, execution_id))

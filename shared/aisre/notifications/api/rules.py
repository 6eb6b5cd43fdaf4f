"""Routing rules (seed 002 /api/v1/notifications/rules): list in order, create (201 with its id), read, update
(`position` moves it), delete. Rules are evaluated in order; the first that matches wins unless it says
`continue`; when none matches, the default rules of GET /notifications/routes apply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path

from aisre.core.http.deps import CallerDep, WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.notifications.api.routing_schemas import RuleCreate, RuleDeleted, RuleList, RulePublic, RuleUpdate
from aisre.notifications.providers import rule_service

if TYPE_CHECKING:
    from aisre.notifications.model.routing import RoutingRule
    from aisre.notifications.service.rules import RuleService

RulesDep = Annotated["RuleService", provide(rule_service)]
RuleId = Annotated[str, Path(max_length=64, description="A rule's id (rule-...)")]

router = ApiRouter(prefix="/api/v1/notifications", tags=["notifications"])

_NOT_FOUND = "No such rule in the workspace"
_CHANGE_ERRORS = error_responses(
    400,
    409,
    413,
    *READ_ERRORS,
    _404=_NOT_FOUND,
    _409="The workspace has a rule of that name, or 100 rules; or the rules kept changing meanwhile (try again)",
    _422="A channel that is not the workspace's (`channels[i]`), a severity that is not one of the four "
    "(`match.severity[i]`), a `~regex` that does not compile (`match.labels.<name>`)",
)


def rule_public(rule: RoutingRule, position: int) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "match": rule.match.to_dict(),
        "channels": list(rule.channels),
        "continue": rule.continue_matching,
        "enabled": rule.enabled,
        "position": position,
        "created_at": rule.created_at,
        "updated_at": rule.updated_at,
        "created_by": rule.created_by,
    }


@router.get("/rules", response_model=RuleList, responses=error_responses(*READ_ERRORS))
def list_notification_rules(rules: RulesDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """The workspace's rules in the order they are evaluated."""
    found = rules.list(workspace)
    return {"rules": [rule_public(rule, position) for position, rule in enumerate(found)], "count": len(found)}


@router.post("/rules", status_code=201, response_model=RulePublic, responses=_CHANGE_ERRORS)
def create_notification_rule(
    body: RuleCreate, rules: RulesDep, workspace: WriteWorkspace, who: CallerDep
) -> dict[str, Any]:
    """A rule, last unless `position` places it; every channel it names must be the workspace's."""
    rule, position = rules.create(
        workspace,
        who.principal,
        name=body.name,
        match=body.match.model_dump(),
        channels=body.channels,
        continue_matching=body.continue_,
        enabled=body.enabled,
        position=body.position,
    )
    return rule_public(rule, position)


@router.get("/rules/{rule_id}", response_model=RulePublic, responses=error_responses(*READ_ERRORS, _404=_NOT_FOUND))
def get_notification_rule(rule_id: RuleId, rules: RulesDep, workspace: WriteWorkspace) -> dict[str, Any]:
    rule, position = rules.get(workspace, rule_id)
    return rule_public(rule, position)


@router.put("/rules/{rule_id}", response_model=RulePublic, responses=_CHANGE_ERRORS)
def update_notification_rule(
    rule_id: RuleId, body: RuleUpdate, rules: RulesDep, workspace: WriteWorkspace
) -> dict[str, Any]:
    """Change what the body names; `position` moves the rule to that place in the order."""
    rule, position = rules.update(
        workspace,
        rule_id,
        name=body.name,
        match=body.match.model_dump() if body.match is not None else None,
        channels=body.channels,
        continue_matching=body.continue_,
        enabled=body.enabled,
        position=body.position,
    )
    return rule_public(rule, position)


@router.delete(
    "/rules/{rule_id}",
    response_model=RuleDeleted,
    responses=error_responses(409, *READ_ERRORS, _404=_NOT_FOUND, _409="The rules kept changing meanwhile (try again)"),
)
def delete_notification_rule(rule_id: RuleId, rules: RulesDep, workspace: WriteWorkspace) -> dict[str, Any]:
    rule = rules.delete(workspace, rule_id)
    return {"id": rule.id, "deleted": True}

"""The routing table (seed 001 GET /notifications/routes): the default channel types per severity, the services'
overrides, what the platform can send to; and, beyond the seed, the workspace's rules in order (then the routes
file's) and its enabled channels per type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aisre.core.http.deps import WriteWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.notifications.api.routing_schemas import RoutesPublic
from aisre.notifications.providers import routing_service

if TYPE_CHECKING:
    from aisre.notifications.model.routing import RoutingRule
    from aisre.notifications.service.routing import RoutingService

RoutingDep = Annotated["RoutingService", provide(routing_service)]

router = ApiRouter(tags=["notifications"])


def _rule(rule: RoutingRule, position: int, source: str) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "source": source,
        "match": rule.match.to_dict(),
        "channels": list(rule.channels),
        "continue": rule.continue_matching,
        "enabled": rule.enabled,
        "position": position,
    }


@router.get("/notifications/routes", response_model=RoutesPublic, responses=error_responses(*READ_ERRORS))
def get_notification_routes(routing: RoutingDep, workspace: WriteWorkspace) -> dict[str, Any]:
    """Where notifications go: the workspace's rules in order (first match wins, `continue` goes on), the routes
    file's, else the default channel types of the severity (the service's override first); `log`: logged only."""
    from aisre.notifications.model.routing import REGISTERED_ADAPTERS

    table = routing.table(workspace)
    defaults = table.defaults
    rules = [_rule(rule, n, "api") for n, rule in enumerate(table.rules)]
    rules += [_rule(rule, len(rules) + n, "file") for n, rule in enumerate(defaults.rules)]
    channels: dict[str, list[str]] = {}
    for channel in table.channels:
        if channel.enabled:
            channels.setdefault(channel.type.value, []).append(channel.id)
    return {
        "default_rules": {severity: list(types) for severity, types in defaults.default_rules.items()},
        "service_overrides": {
            service: {severity: list(types) for severity, types in overrides.items()}
            for service, overrides in defaults.service_overrides.items()
        },
        "registered_adapters": list(REGISTERED_ADAPTERS),
        "rules": rules,
        "channels": channels,
    }

"""Lambda: notifications over HTTP from API Gateway (/notifications/*, /api/v1/notifications*, /oncall/*,
/api/v1/webhooks*, /api/v1/triggers*, /incidents/{id}/notifications): channels, routing rules, in-app
notifications, on-call schedules and escalation policies, outgoing webhooks and triggers, deliveries. Invoked
directly by the escalation state machine's Task, `{"escalation": "page", "state": {...}}` pages the level the state
names (unless the incident was acknowledged or resolved meanwhile) and returns the next state."""

from typing import Any

from aisre.lambda_http import http_handler

_http = http_handler(["notifications"])


def _check_routes() -> None:
    """A bad routes file (NOTIFICATION_ROUTES_FILE) fails the function's start, naming the key, not its first page."""
    from aisre.core.scope import default_scope
    from aisre.notifications.providers import default_routes

    default_scope().get(default_routes)


_check_routes()


def _page(state: dict[str, Any]) -> dict[str, Any]:
    from aisre.core.scope import default_scope
    from aisre.notifications.providers import escalation_service

    return default_scope().get(escalation_service).page(state)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "requestContext" not in event and event.get("escalation") == "page":
        return _page(event.get("state") or {})
    return _http(event, context)

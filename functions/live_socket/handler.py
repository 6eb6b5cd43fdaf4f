"""Lambda: the live events' WebSocket API ($connect, $disconnect, $default): authenticates a connection, keeps its
subscriptions, answers pings; the answer to a message is the route's response (sent to the client)."""

import json
from typing import Any

from aisre.core.observability import logger
from aisre.core.scope import default_scope
from aisre.live.providers import live_socket_service


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    service = default_scope().get(live_socket_service)
    request = event.get("requestContext") or {}
    connection_id = str(request.get("connectionId", ""))
    route = request.get("routeKey")
    if route == "$connect":
        service.connected(connection_id)
        return {"statusCode": 200}
    if route == "$disconnect":
        service.disconnected(connection_id)
        return {"statusCode": 200}
    reply = service.received(connection_id, event.get("body"))
    if reply is None:
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps(reply, separators=(",", ":"))}

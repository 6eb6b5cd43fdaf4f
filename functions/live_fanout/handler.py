"""Lambda: the table's stream (filtered to the items that make events) turned into live events, sent to the
workspace's subscribed sockets. Best effort: a failed send is logged, never retried against the stream."""

from typing import Any

from aisre.core.observability import logger
from aisre.core.scope import default_scope
from aisre.live.adapters.stream_records import item_changes
from aisre.live.providers import live_fanout


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = default_scope().get(live_fanout).handle(item_changes(event))
    return {"events": result.events, "sent": result.sent, "gone": result.gone, "failed": result.failed}

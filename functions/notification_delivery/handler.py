"""Lambda: the notification queue's consumer. Each message is an event to route (to channels, webhooks, inboxes,
triggers, escalation), an incident's fact to turn into one, or a delivery to send; a delivery's failure is retried
by queueing it again with its backoff, so a batch reports as failed only the messages whose store or queue write
failed (they come back; past maxReceiveCount the queue's redrive parks them in the dead-letter queue)."""

from typing import Any

from aisre.core.observability import logger, traced
from aisre.core.scope import default_scope
from aisre.notifications.model.queue_messages import from_body
from aisre.notifications.providers import default_routes, delivery_worker

# A bad routes file (NOTIFICATION_ROUTES_FILE) fails the function's start, naming the key, not every delivery.
default_scope().get(default_routes)


@logger.inject_lambda_context
@traced
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    worker = default_scope().get(delivery_worker)
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            message = from_body(record.get("body", ""))
        except ValueError as exc:
            # Not ours: retried until the redrive moves it to the dead-letter queue, where it can be read.
            logger.error("not a notification message (message %s): %s", message_id, exc)
            failures.append({"itemIdentifier": message_id})
            continue
        try:
            worker.handle(message)
        except Exception:
            logger.exception("notification message %s failed; it comes back", message_id)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}

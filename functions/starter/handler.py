"""Lambda: the investigation queue's consumer. It starts the investigations the batch asks for (one per incident
group) and holds the batch while they run, so that the event source's concurrency bounds those in flight."""

from typing import Any

from aisre.core.observability import logger, traced
from aisre.core.scope import default_scope
from aisre.investigations.model.start_requests import InvestigationRequest
from aisre.investigations.providers import investigation_starter


@logger.inject_lambda_context
@traced
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    scope = default_scope()
    requests: dict[str, InvestigationRequest] = {}
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            requests[record["messageId"]] = InvestigationRequest.from_message(record.get("body", ""))
        except ValueError as exc:
            # Retried until the queue's redrive moves it to the dead-letter queue, where it can be read.
            logger.error("not an investigation request (message %s): %s", record["messageId"], exc)
            failures.append({"itemIdentifier": record["messageId"]})
    watch = min(scope.settings.investigation_watch_seconds, context.get_remaining_time_in_millis() / 1000)
    report = scope.get(investigation_starter).start_requested(list(requests.values()), watch)
    logger.info(
        "investigations started %d, failed %d, of incidents gone %d, still running when released %d",
        len(report.started), len(report.failed_incidents), len(report.gone), len(report.still_running),
    )  # fmt: skip
    failures += [{"itemIdentifier": message_id} for message_id, request in requests.items() if report.failed(request)]
    return {"batchItemFailures": failures}

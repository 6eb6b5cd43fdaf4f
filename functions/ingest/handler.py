"""Lambda: alerts fanned in through SNS/SQS (CloudWatch alarms, ...), with partial batch failure reports."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from aisre.alerts.providers import alert_intake
from aisre.alerts.service.queue_intake import accept_queued_alert
from aisre.core.observability import logger, traced
from aisre.core.scope import default_scope

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    attributes = record.raw_event.get("messageAttributes")
    accept_queued_alert(default_scope().get(alert_intake), record.message_id, record.body, attributes)


@logger.inject_lambda_context
@traced
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)

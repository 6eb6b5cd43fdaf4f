"""One SQS message through intake: unwrapped, ingested, or dead-lettered under the message's own id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.envelopes import unwrap_queued_alert
from aisre.alerts.service.intake import AlertIntake, IntakeResult, Received, status_of
from aisre.core.errors import PayloadError, PayloadTooLargeError, ValidationError


def accept_queued_alert(
    intake: AlertIntake, message_id: str, body: str, message_attributes: Mapping[str, Any] | None
) -> IntakeResult:
    """Ingest one queued alert, raising on any failure so SQS redelivers it.

    A payload that can never be read is also kept in the dead-letter store, under an id derived from
    the message id so its five deliveries leave one entry, visible and replayable; after the fifth,
    the queue's redrive policy moves the message itself to the dead-letter queue.
    """
    queued = unwrap_queued_alert(body, message_attributes)
    try:
        alerts = intake.read_alerts(queued.source, queued.body, "application/json")
    except (PayloadError, ValidationError, PayloadTooLargeError) as error:
        intake.dead_letter(
            queued.workspace_id,
            queued.source,
            queued.body,
            "application/json",
            error,
            status_code=status_of(error),
            channel="sqs",
            entry_id=f"dlq-sqs-{message_id}",
        )
        raise
    return intake.ingest_alerts(queued.workspace_id, alerts, Received(queued.source, queued.body, "application/json"))

"""The notification queue on SQS: messages ten to a SendMessageBatch call, delayed up to SQS's 15 minutes; a
delivery that gave up goes to the dead-letter queue with its reason as a message attribute."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from aisre.core.errors import StorageError
from aisre.notifications.model.delivery import DeliveryJob
from aisre.notifications.model.delivery_policy import queue_delay
from aisre.notifications.model.queue_messages import Deliver, QueueMessage, to_body

_BATCH = 10  # SendMessageBatch's limit


class SqsNotificationQueue:
    """ports.NotificationQueue, and ports.DeliveryQueue for the triggers' deliveries."""

    def __init__(self, queue_url: str, dead_letter_url: str, region: str, endpoint_url: str | None):
        self._queue_url = queue_url
        self._dead_letter_url = dead_letter_url
        self._region = region
        self._endpoint_url = endpoint_url

    @cached_property
    def _client(self) -> Any:
        import boto3

        session = boto3.session.Session()
        return session.client("sqs", region_name=self._region, endpoint_url=self._endpoint_url)

    def send(self, messages: Sequence[QueueMessage], delay_seconds: int = 0) -> None:
        if not self._queue_url:
            raise StorageError("NOTIFICATION_QUEUE_URL is not set: notifications cannot be queued")
        delay = queue_delay(delay_seconds)
        for start in range(0, len(messages), _BATCH):
            entries = [
                {"Id": str(index), "MessageBody": to_body(message), "DelaySeconds": delay}
                for index, message in enumerate(messages[start : start + _BATCH])
            ]
            failed = self._send(entries)
            if failed:  # an entry SQS refused once (throttled, say) gets one more try
                failed = self._send([entry for entry in entries if entry["Id"] in failed])
            if failed:
                raise StorageError(f"the notification queue (SQS) refused {len(failed)} message(s)")

    def enqueue(self, jobs: Sequence[DeliveryJob], delay_seconds: int = 0) -> None:
        self.send([Deliver(job) for job in jobs], delay_seconds)

    def dead_letter(self, message: QueueMessage, reason: str) -> None:
        if not self._dead_letter_url:
            return  # the delivery record says it failed, and why; there is just no queue to park it in
        self._client.send_message(
            QueueUrl=self._dead_letter_url,
            MessageBody=to_body(message),
            MessageAttributes={"error": {"DataType": "String", "StringValue": reason[:1000] or "failed"}},
        )

    def _send(self, entries: list[dict[str, Any]]) -> set[str]:
        response = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
        return {failure["Id"] for failure in response.get("Failed", [])}

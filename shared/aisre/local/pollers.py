"""SQS event source mappings, locally: a thread polls a queue and calls a function's handler in-process."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from aisre.local.functions import Handler, LambdaContext
from aisre.local.provision import SqsEventSource
from aisre.local.workers import BackgroundLoop

logger = logging.getLogger(__name__)

# The system attributes Lambda copies into each record (the FIFO ones only exist on FIFO queues).
_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "DeadLetterQueueSourceArn",
)


def _lambda_message_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """SQS API message attributes in the shape Lambda's SQS event uses (camelCase, base64 binaries)."""
    shaped: dict[str, Any] = {}
    for name, value in attributes.items():
        item: dict[str, Any] = {
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": [base64.b64encode(b).decode() for b in value.get("BinaryListValues", [])],
            "dataType": value["DataType"],
        }
        if "StringValue" in value:
            item["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            item["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        shaped[name] = item
    return shaped


def build_sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda passes for a batch of ReceiveMessage results."""
    records = []
    for message in messages:
        system = message.get("Attributes") or {}
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message.get("Body", ""),
                "attributes": {key: system[key] for key in _RECORD_ATTRIBUTES if key in system},
                "messageAttributes": _lambda_message_attributes(message.get("MessageAttributes") or {}),
                "md5OfBody": message.get("MD5OfBody", ""),
                **(
                    {"md5OfMessageAttributes": message["MD5OfMessageAttributes"]}
                    if "MD5OfMessageAttributes" in message
                    else {}
                ),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def failed_message_ids(result: Any, message_ids: list[str], report_batch_item_failures: bool) -> set[str]:
    """The messages of a batch that must be retried, given the handler's return value.

    Follows Lambda: without ReportBatchItemFailures a returned value means success for all; with it,
    listed ids are retried, and a malformed response or an unknown id fails the whole batch.
    """
    if not report_batch_item_failures or result is None:
        return set()
    if not isinstance(result, dict):
        return set()  # Lambda ignores a response that is not a batchItemFailures object
    failures = result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return set(message_ids)
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in message_ids:
            return set(message_ids)
        failed.add(identifier)
    return failed


class SqsPoller(BackgroundLoop):
    """One thread that long-polls a queue and invokes `handler` with Lambda's SQS event."""

    def __init__(
        self,
        source: SqsEventSource,
        handler: Handler,
        context_factory: Callable[[], LambdaContext],
        *,
        region: str,
        endpoint_url: str | None = None,
        failure_visibility_timeout: int = 1,
        wait_time_seconds: int = 1,
        name: str | None = None,
        sqs_client: Any | None = None,
        before_process: Callable[[threading.Event], None] | None = None,
    ) -> None:
        self.source = source
        self.handler = handler
        self.context_factory = context_factory
        self.region = region
        # Locally there is no reason to wait out the queue's 180 s visibility timeout: a failed
        # message comes back after this many seconds, so redrive to the DLQ happens in seconds.
        self.failure_visibility_timeout = failure_visibility_timeout
        self.wait_time_seconds = wait_time_seconds
        # A stop ends the loop after its current poll (at most wait_time_seconds).
        super().__init__(name or f"sqs-poller-{source.name}")
        # A session of its own: boto3's default session is not safe to share between threads.
        self.sqs = sqs_client or boto3.session.Session().client(
            "sqs",
            endpoint_url=endpoint_url,
            region_name=region,
            # A long poll holds the connection for wait_time_seconds; leave headroom before timing out.
            config=Config(read_timeout=wait_time_seconds + 10, retries={"max_attempts": 2}),
        )
        # Called with the stop event when a batch is in hand, before the handler: it may wait (background
        # work yielding to alert intake); the batch stays invisible meanwhile, its receive count unchanged.
        self.before_process = before_process
        self.batches = 0
        self.errors = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                # The emulator may be going away, or hiccup: log, back off a little, keep polling.
                if self._stop.is_set():
                    return
                self.errors += 1
                logger.exception("poller %s: polling %s failed", self.name, self.source.queue_url)
                self._stop.wait(1.0)

    def poll_once(self) -> int:
        """Receive one batch and process it; returns how many messages were received."""
        response = self.sqs.receive_message(
            QueueUrl=self.source.queue_url,
            MaxNumberOfMessages=max(1, min(self.source.batch_size, 10)),
            WaitTimeSeconds=self.wait_time_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages") or []
        if messages and self.before_process is not None:
            self.before_process(self._stop)
            if self._stop.is_set():
                return 0  # stopping: the batch becomes visible again when its timeout ends
        if messages:
            self.process(messages)
        return len(messages)

    def process(self, messages: list[dict[str, Any]]) -> None:
        """Invoke the handler on one batch, then delete what succeeded and release what failed."""
        self.batches += 1
        event = build_sqs_event(messages, self.source.queue_arn, self.region)
        ids = [m["MessageId"] for m in messages]
        try:
            result = self.handler(event, self.context_factory())
            failed = failed_message_ids(result, ids, self.source.report_batch_item_failures)
        except Exception:
            # A handler error fails the whole batch, exactly as Lambda retries it.
            self.errors += 1
            logger.exception("poller %s: handler raised; the batch of %d will be retried", self.name, len(ids))
            failed = set(ids)
        done = [m for m in messages if m["MessageId"] not in failed]
        retry = [m for m in messages if m["MessageId"] in failed]
        if done:
            deleted = self.sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
            for failure in deleted.get("Failed", []):
                logger.error("poller %s: deleting a processed message failed: %s", self.name, failure)
        if retry:
            released = self.sqs.change_message_visibility_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m["ReceiptHandle"],
                        "VisibilityTimeout": self.failure_visibility_timeout,
                    }
                    for i, m in enumerate(retry)
                ],
            )
            for failure in released.get("Failed", []):
                logger.warning("poller %s: releasing a failed message failed: %s", self.name, failure)


def wait_until_idle(pollers: list[SqsPoller], timeout: float = 10.0, interval: float = 0.1) -> bool:
    """Wait until every poller's queue has no visible or in-flight messages (tests and benchmarks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = False
        for poller in pollers:
            attrs = poller.sqs.get_queue_attributes(
                QueueUrl=poller.source.queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            if int(attrs["ApproximateNumberOfMessages"]) or int(attrs["ApproximateNumberOfMessagesNotVisible"]):
                busy = True
                break
        if not busy:
            return True
        time.sleep(interval)
    return False

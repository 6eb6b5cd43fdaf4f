"""SQS through boto3: the alert queue's health (boto3 is imported on first use, off the cold-start path)."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4)
def _client(region: str, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)


def check_queue(queue_url: str, region: str, endpoint_url: str | None) -> dict[str, Any]:
    if not queue_url:
        return {"status": "not_configured"}
    started = time.perf_counter()
    try:
        attributes = _client(region, endpoint_url).get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
    except Exception as error:  # a probe reports every failure, it never raises
        return {"status": "error", "error": type(error).__name__}
    return {
        "status": "ok",
        "messages_waiting": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "messages_in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }

"""The SNS/SQS path: alerts published to the topic reach the ingest function's handler through the queue,
as Lambda's event source mapping would deliver them; a poison message ends in the dead-letter queue."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from tests.support.servers import wait_for


@pytest.fixture(scope="module")
def pollers(local_stack: Any) -> Iterator[None]:
    local_stack.start_pollers(["IngestFunction"])
    try:
        yield
    finally:
        local_stack.stop_pollers()


@pytest.fixture(scope="module")
def aws(local_stack: Any) -> dict[str, Any]:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=local_stack.endpoint_url, region_name="us-east-1")

    return {"sns": client("sns"), "sqs": client("sqs")}


def _attribute(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def test_cloudwatch_alarm_published_to_the_topic_becomes_an_incident(
    pollers: None, aws: dict[str, Any], local_stack: Any, api: httpx.Client, workspace: str
):
    alarm_name = f"payments-5xx-{uuid.uuid4().hex[:6]}"
    alarm = {
        "AlarmName": alarm_name,
        "AlarmDescription": "[critical] 5xx rate above 5% on payments",
        "AWSAccountId": "123456789012",
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed: 1 datapoint [7.2] was greater than the threshold (5.0).",
        "StateChangeTime": "2026-01-01T10:00:00.000+0000",
        "Region": "US East (N. Virginia)",
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm_name}",
        "OldStateValue": "OK",
        "Trigger": {
            "MetricName": "HTTPCode_Target_5XX_Count",
            "Namespace": "AWS/ApplicationELB",
            "Statistic": "SUM",
            "Dimensions": [{"name": "LoadBalancer", "value": "app/payments/50dc6c495c0c9188"}],
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 5.0,
        },
    }
    topic = local_stack.resources.physical_id("AlertTopic")
    aws["sns"].publish(
        TopicArn=topic,
        Subject=f'ALARM: "{alarm_name}" in US East (N. Virginia)',
        Message=json.dumps(alarm),
        MessageAttributes={"workspace_id": _attribute(workspace)},
    )

    def incident() -> dict[str, Any] | None:
        found = api.get("/incidents").json()["incidents"]
        return found[0] if found else None

    created = wait_for(incident, timeout=20)
    assert created["provider"] == "cloudwatch" and created["severity"] == "critical"
    assert created["fingerprint"] == alarm["AlarmArn"]

    # The alarm going back to OK resolves it.
    aws["sns"].publish(
        TopicArn=topic,
        Message=json.dumps(alarm | {"NewStateValue": "OK", "OldStateValue": "ALARM"}),
        MessageAttributes={"workspace_id": _attribute(workspace)},
    )
    wait_for(lambda: api.get(f"/incidents/{created['id']}").json()["incident"]["state"] == "resolved", timeout=20)


def test_generic_alert_with_a_source_attribute(
    pollers: None, aws: dict[str, Any], local_stack: Any, api: httpx.Client, workspace: str
):
    aws["sns"].publish(
        TopicArn=local_stack.resources.physical_id("AlertTopic"),
        Message=json.dumps({"title": "Queue depth high", "service": "orders", "severity": "warning"}),
        MessageAttributes={"source": _attribute("webhook"), "workspace_id": _attribute(workspace)},
    )
    created = wait_for(lambda: api.get("/incidents").json()["incidents"], timeout=20)
    assert created[0]["title"] == "Queue depth high" and created[0]["service"] == "orders"


def test_poison_message_ends_in_the_dead_letter_queue_and_the_store(
    pollers: None, aws: dict[str, Any], local_stack: Any, api: httpx.Client, workspace: str
):
    queue_url = local_stack.resources.physical_id("AlertQueue")
    dlq_url = local_stack.resources.physical_id("AlertDeadLetterQueue")
    marker = uuid.uuid4().hex
    aws["sqs"].send_message(
        QueueUrl=queue_url,
        MessageBody=f"not an alert {marker}",
        MessageAttributes={"workspace_id": _attribute(workspace)},
    )

    def in_dead_letter_queue() -> bool:
        messages = (
            aws["sqs"]
            .receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
            .get("Messages", [])
        )
        return any(marker in message["Body"] for message in messages)

    assert wait_for(in_dead_letter_queue, timeout=45, interval=0.5)
    # Kept where an operator sees it, with its error, once (not once per delivery).
    entries = api.get("/webhook/dead-letter").json()["entries"]
    assert len(entries) == 1
    assert entries[0]["channel"] == "sqs" and entries[0]["payload"] == f"not an alert {marker}"
    assert entries[0]["error_type"] == "PayloadError"

"""The local stack provisioned from the real template.yaml, checked with boto3 against the emulator."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from aisre.local.functions import context_factory, load_handler, load_module
from aisre.local.pollers import SqsPoller
from aisre.local.stack import LocalStack

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(PROJECT_ROOT) as local:
        yield local


@pytest.fixture(scope="module")
def clients(stack: LocalStack) -> dict[str, Any]:
    # No endpoint_url given: the stack's AWS_ENDPOINT_URL must be what points boto3 at the emulator.
    return {name: boto3.client(name) for name in ("dynamodb", "sqs", "sns")}


@pytest.fixture
def alert_queues(stack: LocalStack, clients: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The template's alert queue and its dead-letter queue, empty before and after the test."""
    urls = stack.resources.physical_id("AlertQueue"), stack.resources.physical_id("AlertDeadLetterQueue")
    for url in urls:
        drain(clients["sqs"], url)
    yield urls
    for url in urls:
        drain(clients["sqs"], url)


def drain(sqs: Any, queue_url: str) -> None:
    # Not PurgeQueue: like SQS, the emulator allows one purge per queue per 60 seconds.
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def write_handler(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return path


RECORDING_HANDLER = """
    CALLS = []

    def handler(event, context):
        CALLS.append(event)
        {result}
"""


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")


def test_environment_points_at_the_emulator(stack: LocalStack) -> None:
    assert os.environ["AWS_ENDPOINT_URL"] == stack.endpoint_url
    assert os.environ["AISRE_PROFILE"] == "local"
    assert os.environ["TABLE_NAME"] == stack.resources.physical_id("AisreTable")
    assert os.environ["ALERT_QUEUE_URL"] == stack.resources.physical_id("AlertQueue")
    assert os.environ["ALERT_TOPIC_ARN"] == stack.resources.physical_id("AlertTopic")
    assert os.environ["CORRELATION_WINDOW_MINUTES"] == "10"
    from aisre.core.settings import get_settings

    settings = get_settings()
    assert (settings.profile, settings.table_name, settings.aws_endpoint_url) == (
        "local",
        os.environ["TABLE_NAME"],
        stack.endpoint_url,
    )


def test_functions_are_read_from_the_template(stack: LocalStack) -> None:
    functions = stack.resources.functions
    assert set(functions) >= {"WebhooksFunction", "IncidentsFunction", "IngestFunction"}
    ingest = functions["IngestFunction"]
    assert (ingest.code_uri, ingest.handler, ingest.timeout, ingest.memory_size) == (
        "functions/ingest/",
        "handler.handler",
        30,
        512,
    )
    (source,) = ingest.sqs_events
    assert source.queue_url == stack.resources.physical_id("AlertQueue")
    assert (source.batch_size, source.report_batch_item_failures) == (10, True)
    assert ("POST", "/v2/enqueue") in functions["WebhooksFunction"].http_events
    assert ("GET", "/health") in functions["IncidentsFunction"].http_events
    layers = {"CodeLayer", "BaseLayer", "InvestigationsLayer"}
    assert {*layers, "HttpApi", "AlertQueuePolicy"} <= set(stack.resources.skipped)


def test_table_has_keys_indexes_and_ttl(stack: LocalStack, clients: dict[str, Any]) -> None:
    name = stack.resources.physical_id("AisreTable")
    table = clients["dynamodb"].describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"gsi1", "gsi2", "gsi3"}
    assert [k["AttributeName"] for k in indexes["gsi1"]["KeySchema"]] == ["gsi1pk", "gsi1sk"]
    assert [k["AttributeName"] for k in indexes["gsi3"]["KeySchema"]] == ["gsi3pk"]
    assert indexes["gsi3"]["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert indexes["gsi2"]["Projection"]["ProjectionType"] == "ALL"
    ttl = clients["dynamodb"].describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "ttl")


def test_queue_has_redrive_policy_and_visibility_timeout(stack: LocalStack, clients: dict[str, Any]) -> None:
    attributes = clients["sqs"].get_queue_attributes(
        QueueUrl=stack.resources.physical_id("AlertQueue"), AttributeNames=["All"]
    )["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == 5
    assert redrive["deadLetterTargetArn"] == stack.resources.attribute("AlertDeadLetterQueue", "Arn")
    assert attributes["VisibilityTimeout"] == "180"


def test_topic_delivers_sns_envelopes_to_the_queue(
    stack: LocalStack, clients: dict[str, Any], alert_queues: tuple[str, str]
) -> None:
    topic_arn = stack.resources.physical_id("AlertTopic")
    payload = json.dumps({"title": "disk full", "service": "orders-db"})
    clients["sns"].publish(
        TopicArn=topic_arn,
        Message=payload,
        Subject="alert",
        MessageAttributes={"source": {"DataType": "String", "StringValue": "webhook"}},
    )
    queue_url, _ = alert_queues
    messages = clients["sqs"].receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)["Messages"]
    # Deleted at once: an in-flight message (180 s visibility) would outlive the fixture's drain.
    clients["sqs"].delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
    envelope = json.loads(messages[0]["Body"])  # RawMessageDelivery false: the SNS envelope arrives
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == topic_arn
    assert envelope["Message"] == payload
    assert envelope["MessageAttributes"]["source"] == {"Type": "String", "Value": "webhook"}


def test_request_counter_counts_operations(stack: LocalStack, clients: dict[str, Any]) -> None:
    stack.reset_request_counts()
    clients["dynamodb"].get_item(
        TableName=stack.resources.physical_id("AisreTable"), Key={"pk": {"S": "ws#1"}, "sk": {"S": "x"}}
    )
    counts = stack.request_counts()
    assert counts["by_operation"] == {"dynamodb:GetItem": 1}
    assert counts["total"] == 1


def test_items_keep_dynamodbs_size_limit_and_round_trip_every_type(stack: LocalStack, clients: dict[str, Any]) -> None:
    """moto_patches measures a new item once instead of per attribute: same limit, same stored values."""
    table = stack.resources.physical_id("AisreTable")
    dynamodb = clients["dynamodb"]
    item = {
        "pk": {"S": "ws#size"},
        "sk": {"S": "item"},
        "text": {"S": "x" * 200_000},
        "blob": {"B": b"\x00\x01" * 50_000},
        "count": {"N": "42"},
        "tags": {"SS": ["a", "b"]},
        "nested": {"M": {"list": {"L": [{"S": "v"}, {"BOOL": True}, {"NULL": True}]}}},
    }
    dynamodb.put_item(TableName=table, Item=item)
    stored = dynamodb.get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True)
    assert stored["Item"] == item
    too_big = item | {"more": {"S": "y" * 110_000}}
    with pytest.raises(dynamodb.exceptions.ClientError, match="Item size has exceeded"):
        dynamodb.put_item(TableName=table, Item=too_big)
    # An update still goes through moto's own per-attribute check.
    with pytest.raises(dynamodb.exceptions.ClientError, match="Item size"):
        dynamodb.update_item(
            TableName=table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET more = :v",
            ExpressionAttributeValues={":v": {"S": "y" * 110_000}},
        )


def test_transactions_check_each_condition_and_roll_back_all_or_nothing(
    stack: LocalStack, clients: dict[str, Any]
) -> None:
    """moto_patches' TransactWriteItems: item-level rollback, each condition checked once (not twice)."""
    table = stack.resources.physical_id("AisreTable")
    dynamodb = clients["dynamodb"]
    counter = {"pk": {"S": "ws#txn"}, "sk": {"S": "counter"}}
    dynamodb.put_item(TableName=table, Item=counter | {"state": {"S": "open"}, "hits": {"N": "1"}})

    def transaction(required_state: str) -> list[dict[str, Any]]:
        return [
            {"Put": {"TableName": table, "Item": {"pk": {"S": "ws#txn"}, "sk": {"S": f"event#{required_state}"}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": counter,
                    "UpdateExpression": "SET hits = hits + :one",
                    "ConditionExpression": "#state = :required",
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":required": {"S": required_state}},
                }
            },
        ]

    def stored(key: dict[str, Any]) -> dict[str, Any] | None:
        return dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    dynamodb.transact_write_items(TransactItems=transaction("open"))
    assert stored(counter)["hits"] == {"N": "2"}
    assert stored({"pk": {"S": "ws#txn"}, "sk": {"S": "event#open"}}) is not None

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(TransactItems=transaction("resolved"))
    reasons = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert stored(counter)["hits"] == {"N": "2"}  # the update did not happen
    assert stored({"pk": {"S": "ws#txn"}, "sk": {"S": "event#resolved"}}) is None  # the put was rolled back

    # A Put's own condition: attribute_not_exists refuses to overwrite.
    put_once = {
        "Put": {
            "TableName": table,
            "Item": counter | {"state": {"S": "new"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[put_once])
    assert stored(counter)["state"] == {"S": "open"}


def _poller(stack: LocalStack, handler: Any, queue_url: str) -> SqsPoller:
    source = stack.function("IngestFunction").sqs_events[0]
    assert source.queue_url == queue_url
    # failure_visibility_timeout=0: a failed message is visible again at once, so 5 receives are quick.
    return SqsPoller(
        source,
        handler,
        context_factory("test-fn", "arn:aws:lambda:us-east-1:123456789012:function:test-fn", 128, 30),
        region=stack.region,
        failure_visibility_timeout=0,
    )


def test_poller_moves_an_always_failing_message_to_the_dlq_after_5_receives(
    stack: LocalStack, clients: dict[str, Any], alert_queues: tuple[str, str], tmp_path: Path
) -> None:
    write_handler(
        tmp_path,
        "failing",
        RECORDING_HANDLER.format(
            result='return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}'
        ),
    )
    handler = load_handler(tmp_path, ".", "failing.handler")
    calls = load_module(tmp_path, ".", "failing").CALLS
    queue_url, dlq_url = alert_queues
    clients["sqs"].send_message(QueueUrl=queue_url, MessageBody='{"poison": true}')
    poller = _poller(stack, handler, queue_url).start()
    try:
        dead = wait_for(
            lambda: clients["sqs"].receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages"), timeout=30
        )
    finally:
        poller.stop()
    assert dead[0]["Body"] == '{"poison": true}'
    counts = [event["Records"][0]["attributes"]["ApproximateReceiveCount"] for event in calls]
    assert counts == ["1", "2", "3", "4", "5"]
    record = calls[0]["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == stack.resources.attribute("AlertQueue", "Arn")
    assert record["awsRegion"] == "us-east-1"
    assert {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody"} <= set(record)


def test_poller_deletes_messages_the_handler_processed(
    stack: LocalStack, clients: dict[str, Any], alert_queues: tuple[str, str], tmp_path: Path
) -> None:
    write_handler(tmp_path, "succeeding", RECORDING_HANDLER.format(result="return None"))
    handler = load_handler(tmp_path, ".", "succeeding.handler")
    calls = load_module(tmp_path, ".", "succeeding").CALLS
    queue_url, _ = alert_queues
    clients["sqs"].send_message(
        QueueUrl=queue_url,
        MessageBody="ok",
        MessageAttributes={"source": {"DataType": "String", "StringValue": "webhook"}},
    )
    poller = _poller(stack, handler, queue_url).start()
    try:
        wait_for(lambda: calls)
        wait_for(
            lambda: (
                clients["sqs"].get_queue_attributes(
                    QueueUrl=queue_url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
            )
        )
    finally:
        poller.stop()
    assert len(calls) == 1
    record = calls[0]["Records"][0]
    assert record["body"] == "ok"
    assert record["messageAttributes"]["source"] == {
        "stringValue": "webhook",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }


def test_pollers_run_template_functions_from_sns_to_handler(stack: LocalStack, tmp_path: Path) -> None:
    """A second stack on a copy of the project: start_pollers wires the ingest handler to the queue."""
    shutil.copy(PROJECT_ROOT / "template.yaml", tmp_path / "template.yaml")
    shutil.copytree(PROJECT_ROOT / "infra", tmp_path / "infra")  # the state machines' DefinitionUri
    for name in ("webhooks", "incidents", "investigations", "steps", "starter"):
        write_handler(tmp_path / "functions" / name, "handler", "def handler(event, context):\n    return None\n")
    write_handler(tmp_path / "functions" / "ingest", "handler", RECORDING_HANDLER.format(result="return None"))
    outer_endpoint = os.environ["AWS_ENDPOINT_URL"]
    with LocalStack(tmp_path) as inner:
        (poller,) = inner.start_pollers(["IngestFunction"])
        calls = load_module(tmp_path, "functions/ingest/", "handler").CALLS
        boto3.client("sns").publish(TopicArn=inner.resources.physical_id("AlertTopic"), Message='{"a": 1}')
        wait_for(lambda: calls)
        envelope = json.loads(calls[0]["Records"][0]["body"])
        assert json.loads(envelope["Message"]) == {"a": 1}
    assert not poller.running
    # Stopping the inner stack restored the environment the outer one had set.
    assert os.environ["AWS_ENDPOINT_URL"] == outer_endpoint == stack.endpoint_url

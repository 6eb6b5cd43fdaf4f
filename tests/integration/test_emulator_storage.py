"""The emulator with a data directory: every acknowledged DynamoDB write and every queued SQS message is back
after a stop, a SIGKILL, a restart; refused writes are not; one emulator per data directory."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from aisre.local.emulator import Emulator, EmulatorError

TABLE = "storage-test"
QUEUE = "storage-test-queue"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def client(emulator: Emulator, service: str, endpoint: str | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint or emulator.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=NO_RETRIES,
    )


def provision(emulator: Emulator) -> Any:
    """The table as provisioning creates it (CreateTable, then its TTL), which is when the emulator restores it."""
    dynamodb = client(emulator, "dynamodb", emulator.dynamodb_endpoint_url)
    names = ("pk", "sk", "gsi1pk", "gsi1sk")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in names],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True})
    return dynamodb


def by_index(dynamodb: Any) -> list[dict[str, Any]]:
    """The index's partition newest first, in pages of 7: what a listing reads."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": TABLE,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "listing"}},
        "ScanIndexForward": False,
        "Limit": 7,
    }
    while True:
        page = dynamodb.query(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def key(pk: str, sk: str = "a") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def everything(dynamodb: Any) -> dict[tuple[str, str], dict[str, Any]]:
    items: dict[tuple[str, str], dict[str, Any]] = {}
    kwargs: dict[str, Any] = {"TableName": TABLE}
    while True:
        page = dynamodb.scan(**kwargs)
        for item in page["Items"]:
            items[(item["pk"]["S"], item["sk"]["S"])] = item
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def write_every_kind(dynamodb: Any) -> None:
    for index in range(30):
        listed = {"gsi1pk": {"S": "listing"}, "gsi1sk": {"S": f"{index % 9:03d}#{index}"}}
        dynamodb.put_item(TableName=TABLE, Item={**key(f"item-{index}"), "n": {"N": "0"}, **listed})
    for _ in range(3):
        dynamodb.update_item(
            TableName=TABLE,
            Key=key("item-0"),
            UpdateExpression="ADD n :one SET note = :note",
            ExpressionAttributeValues={":one": {"N": "1"}, ":note": {"S": "updated"}},
        )
    dynamodb.delete_item(TableName=TABLE, Key=key("item-1"))
    dynamodb.batch_write_item(
        RequestItems={
            TABLE: [
                {
                    "PutRequest": {
                        "Item": {**key("batch-1"), "payload": {"M": {"a": {"L": [{"N": "1"}, {"B": b"\x00"}]}}}}
                    }
                },
                {"DeleteRequest": {"Key": key("item-2")}},
            ]
        }
    )
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": key("tx-1"), "ConditionExpression": "attribute_not_exists(pk)"}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": key("item-3"),
                    "UpdateExpression": "SET tags = :tags",
                    "ExpressionAttributeValues": {":tags": {"SS": ["x", "y"]}},
                }
            },
            {"Delete": {"TableName": TABLE, "Key": key("item-4")}},
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": key("item-5"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]
    )
    # Past its TTL: DynamoDB would delete it, and a restart drops it.
    dynamodb.put_item(TableName=TABLE, Item={**key("expired"), "ttl": {"N": str(int(time.time()) - 60)}})


def refused_writes(dynamodb: Any) -> None:
    """Writes DynamoDB refuses: none of them may come back after a restart."""
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(
            TableName=TABLE, Item={**key("item-6"), "bad": {"S": "x"}}, ConditionExpression="attribute_not_exists(pk)"
        )
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": key("cancelled")}},
                {"Put": {"TableName": TABLE, "Item": key("item-7"), "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def emulator(data_dir: Path) -> Iterator[Emulator]:
    emulator = Emulator(data_dir=data_dir)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def test_acknowledged_writes_come_back_after_a_stop_and_after_a_sigkill(emulator: Emulator, data_dir: Path) -> None:
    dynamodb = provision(emulator)
    write_every_kind(dynamodb)
    refused_writes(dynamodb)
    before = everything(dynamodb)
    assert ("cancelled", "a") not in before and "bad" not in before[("item-6", "a")]
    expected = {item_key: item for item_key, item in before.items() if item_key != ("expired", "a")}
    listing = by_index(dynamodb)

    emulator.stop()  # SIGTERM: the child syncs and closes its journal
    emulator.start()
    dynamodb = provision(emulator)
    assert everything(dynamodb) == expected
    assert by_index(dynamodb) == listing
    journal = data_dir / "dynamodb" / "us-east-1" / f"{TABLE}.journal.jsonl"
    # Compacted at start: the journal holds only what came after (the TTL setting provisioning sent again).
    assert [json.loads(line) for line in journal.read_text().splitlines()] == [{"ttl_attribute": "ttl"}]
    # Restored items are moto's own again: updated, and conditions read them.
    dynamodb.update_item(
        TableName=TABLE,
        Key=key("item-0"),
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName=TABLE, Item=key("item-3"), ConditionExpression="attribute_not_exists(pk)")
    expected[("item-0", "a")]["n"] = {"N": "4"}

    dynamodb.put_item(TableName=TABLE, Item=key("after-restart"))
    expected[("after-restart", "a")] = key("after-restart")
    assert emulator.pid is not None
    os.kill(emulator.pid, signal.SIGKILL)  # no chance to sync: what it wrote is with the OS already
    emulator.restart()
    assert everything(provision(emulator)) == expected


def test_queued_messages_come_back_after_a_sigkill_in_flight_ones_too(emulator: Emulator) -> None:
    sqs = client(emulator, "sqs")
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    for body in ("one", "two", "three"):
        sqs.send_message(
            QueueUrl=url, MessageBody=body, MessageAttributes={"kind": {"DataType": "String", "StringValue": body}}
        )
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=300)["Messages"]
    deleted = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=300)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=deleted["ReceiptHandle"])
    time.sleep(2.5)  # the queues are written out every second: past that, a kill loses nothing
    assert emulator.pid is not None
    os.kill(emulator.pid, signal.SIGKILL)
    emulator.restart()
    sqs = client(emulator, "sqs")
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    bodies: dict[str, str] = {}
    deadline = time.monotonic() + 10
    while len(bodies) < 2 and time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", []):
            bodies[message["Body"]] = message["MessageAttributes"]["kind"]["StringValue"]
    # The one received but not deleted comes back (delivered again); the deleted one does not.
    assert bodies == {body: body for body in ("one", "two", "three") if body != deleted["Body"]}
    assert received[0]["Body"] in bodies


def test_one_emulator_per_data_directory(emulator: Emulator, data_dir: Path) -> None:
    second = Emulator(data_dir=data_dir)
    with pytest.raises(EmulatorError, match="exited during startup"):
        second.start()
    assert emulator.running

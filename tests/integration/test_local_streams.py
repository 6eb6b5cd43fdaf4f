"""The emulator's DynamoDB stream (local/streams.py) as the stream poller reads it: acknowledged writes of the items
the readers' FilterCriteria want, INSERT or MODIFY, with the item after the write; nothing for a refused write, a
removal the filter leaves out, or an item no reader wants. Real writes through boto3 to the session's emulator."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from typing import Any

import boto3
import pytest

from aisre.local.streams import StreamRecorder, _Candidate


def read(stack: Any, after: int | None, wait: float = 0) -> dict[str, Any]:
    table = stack.resources.streams["AisreTable"].table_name
    query = f"?wait={wait}" + (f"&after={after}" if after is not None else "")
    with urllib.request.urlopen(f"{stack.endpoint_url}/_aisre/streams/{table}{query}", timeout=30) as answer:
        body: dict[str, Any] = json.load(answer)
    return body


def mine(records: list[dict[str, Any]], pk: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        (r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"], r["dynamodb"].get("NewImage"))
        for r in records
        if r["dynamodb"]["Keys"]["pk"]["S"] == pk
    ]


def test_writes_become_records_as_the_filter_and_dynamodb_say(local_stack: Any) -> None:
    client = boto3.client("dynamodb", endpoint_url=local_stack.emulator.dynamodb_endpoint_url, region_name="us-east-1")
    table = local_stack.resources.streams["AisreTable"].table_name
    pk = f"WS#ws-{uuid.uuid4().hex[:8]}#INC#inc-1"
    start = read(local_stack, None)["latest"]

    item = {"pk": {"S": pk}, "sk": {"S": "META"}, "state": {"S": "open"}}
    client.put_item(TableName=table, Item=item)
    client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "EV#2026#x"}})  # a timeline event: no record
    client.update_item(
        TableName=table,
        Key={"pk": {"S": pk}, "sk": {"S": "META"}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":s": {"S": "resolved"}},
    )
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "ACT#2026#y"}, "action": {"S": "x"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "EV#2026#y"}}}},
        ]
    )
    client.delete_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": "META"}})  # REMOVE: the filter leaves it

    answer = read(local_stack, start)
    assert mine(answer["records"], pk) == [
        ("INSERT", "META", item),
        ("MODIFY", "META", {**item, "state": {"S": "resolved"}}),
        ("INSERT", "ACT#2026#y", {"pk": {"S": pk}, "sk": {"S": "ACT#2026#y"}, "action": {"S": "x"}}),
    ]
    record = answer["records"][0]
    assert record["dynamodb"]["StreamViewType"] == "NEW_IMAGE" and record["eventSource"] == "aws:dynamodb"
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in answer["records"]]
    assert numbers == list(range(start + 1, start + 1 + len(numbers)))


def test_a_long_poll_answers_as_soon_as_a_record_comes(local_stack: Any) -> None:
    client = boto3.client("dynamodb", endpoint_url=local_stack.emulator.dynamodb_endpoint_url, region_name="us-east-1")
    table = local_stack.resources.streams["AisreTable"].table_name
    latest = read(local_stack, None)["latest"]
    pk = f"WS#ws-{uuid.uuid4().hex[:8]}#DLQ#dlq-1"
    writer = threading.Timer(0.3, lambda: client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "DLQ"}}))
    started = time.monotonic()
    writer.start()
    answer = read(local_stack, latest, wait=10)
    writer.join()
    assert 0.2 < time.monotonic() - started < 5
    assert ("INSERT", "DLQ") in [(name, sk) for name, sk, _ in mine(answer["records"], pk)]


def test_the_ring_keeps_the_last_records_and_says_what_a_late_reader_missed() -> None:
    recorder = StreamRecorder(capacity=3)
    recorder.configure("us-east-1", "t", "NEW_IMAGE", None)
    stream = recorder._streams[("us-east-1", "t")]
    for number in range(5):
        keys = {"pk": {"S": f"p{number}"}}
        recorder._record([_Candidate(stream, "put", keys, keys, existed=False)])
    answer = recorder.read("us-east-1", "t", after=0, limit=10, wait=0)
    assert answer is not None
    assert (answer["latest"], answer["first"], answer["dropped"], answer["missed"]) == (5, 3, 2, 2)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in answer["records"]] == ["p2", "p3", "p4"]
    page = recorder.read("us-east-1", "t", after=3, limit=1, wait=0)
    assert page is not None and [r["dynamodb"]["SequenceNumber"] for r in page["records"]] == ["4".zfill(21)]
    assert recorder.read("us-east-1", "other", after=None, limit=1, wait=0) is None

"""The emulator's book of global indexes (aisre/local/index_book.py): moto answers every index Query the
same with it as without, while items move between partitions, leave and join indexes, grow past the page
size limit and are rolled back by transactions; and an index Query no longer walks the table.
"""

from __future__ import annotations

from typing import Any

import pytest

from aisre.local import index_book, moto_patches
from tests.integration.test_moto_patches import (
    PATCHES,
    InProcessDynamoDB,
    Outcome,
    _assert_same,
    _install,
    _moto_app,
    _outcome,
)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def index_scenario(dynamodb: Any) -> list[tuple[str, Outcome]]:
    """Writes that move items in and out of index partitions, each followed by queries of every shape."""
    log: list[tuple[str, Outcome]] = []

    def call(label: str, operation: str, **params: Any) -> dict[str, Any] | None:
        outcome = _outcome(lambda: getattr(dynamodb, operation)(**params))
        log.append((label, outcome))
        return outcome[1] if outcome[0] == "ok" else None

    def pages(label: str, **params: Any) -> None:
        start = None
        for page in range(60):
            extra = {"ExclusiveStartKey": start} if start else {}
            result = call(f"{label} page {page}", "query", TableName="books", **params, **extra)
            start = result and result.get("LastEvaluatedKey")
            if not start:
                return
        raise AssertionError(f"{label}: more than 60 pages")

    def every_shape(when: str) -> None:
        """Each index, forwards and backwards, each range operator, filters, projections, counts."""
        for partition in ("p#a", "p#b", "p#empty"):
            for forward in (True, False):
                pages(
                    f"{when}: gsi1 {partition} forward={forward}",
                    IndexName="gsi1",
                    Limit=3,
                    ScanIndexForward=forward,
                    KeyConditionExpression="gsi1pk = :p",
                    ExpressionAttributeValues={":p": _s(partition)},
                )
        ranges = {
            "=": ("gsi1sk = :a", {":a": _s("t05")}),
            "<": ("gsi1sk < :a", {":a": _s("t05")}),
            "<=": ("gsi1sk <= :a", {":a": _s("t05")}),
            ">": ("gsi1sk > :a", {":a": _s("t05")}),
            ">=": ("gsi1sk >= :a", {":a": _s("t05")}),
            "between": ("gsi1sk BETWEEN :a AND :b", {":a": _s("t03"), ":b": _s("t07")}),
            "between, reversed bounds": ("gsi1sk BETWEEN :a AND :b", {":a": _s("t07"), ":b": _s("t03")}),
            "begins_with": ("begins_with(gsi1sk, :a)", {":a": _s("t0")}),
            "begins_with, none": ("begins_with(gsi1sk, :a)", {":a": _s("zz")}),
        }
        for name, (condition, values) in ranges.items():
            for forward in (True, False):
                pages(
                    f"{when}: gsi1 range {name} forward={forward}",
                    IndexName="gsi1",
                    Limit=2,
                    ScanIndexForward=forward,
                    KeyConditionExpression=f"gsi1pk = :p AND {condition}",
                    ExpressionAttributeValues={":p": _s("p#a"), **values},
                )
        pages(
            f"{when}: gsi1 filtered and projected",
            IndexName="gsi1",
            Limit=4,
            ScanIndexForward=False,
            KeyConditionExpression="gsi1pk = :p",
            FilterExpression="#n > :three",
            ProjectionExpression="pk, gsi1sk, #n",
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":p": _s("p#a"), ":three": _n(3)},
        )
        call(
            f"{when}: gsi1 count, unlimited",
            "query",
            TableName="books",
            IndexName="gsi1",
            Select="COUNT",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": _s("p#a")},
        )
        for forward in (True, False):
            pages(
                f"{when}: numbers forward={forward}",
                IndexName="numbers",
                Limit=3,
                ScanIndexForward=forward,
                KeyConditionExpression="kind = :k AND n BETWEEN :low AND :high",
                ExpressionAttributeValues={":k": _s("k"), ":low": _n(2), ":high": _n(11)},
            )
            pages(
                f"{when}: gsi3 hash only forward={forward}",
                IndexName="gsi3",
                Limit=2,
                ScanIndexForward=forward,
                KeyConditionExpression="gsi3pk = :f",
                ExpressionAttributeValues={":f": _s("f#1")},
            )

    keys = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi3pk", "kind")
    dynamodb.create_table(
        TableName="books",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            *({"AttributeName": name, "AttributeType": "S"} for name in keys),
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "gsi3",
                "KeySchema": [{"AttributeName": "gsi3pk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "numbers",
                "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["gsi1sk"]},
            },
        ],
    )

    def item(number: int, partition: str) -> dict[str, Any]:
        record = {
            "pk": _s(f"item#{number:02d}"),
            "sk": _s("META" if number % 3 else "EV"),
            "gsi1pk": _s(partition),
            "gsi1sk": _s(f"t{number % 9:02d}"),  # repeated: ties are ordered by the table's keys
            "kind": _s("k"),
            "n": _n(number),
        }
        if number % 2:
            record["gsi3pk"] = _s(f"f#{number % 4}")
        return record

    every_shape("empty table")
    for number in range(24):
        call(f"put {number}", "put_item", TableName="books", Item=item(number, "p#a" if number % 4 else "p#b"))
    every_shape("filled")

    def key(number: int) -> dict[str, Any]:
        return {"pk": _s(f"item#{number:02d}"), "sk": _s("META" if number % 3 else "EV")}

    # Moves: to another partition, to another sort key, out of the index, back in; replaced; deleted.
    def update(label: str, number: int, expression: str, values: dict[str, Any] | None = None, **extra: Any) -> None:
        optional = {"ExpressionAttributeValues": values} if values else {}
        call(label, "update_item", TableName="books", Key=key(number), UpdateExpression=expression, **optional, **extra)

    update("move 1 to p#b", 1, "SET gsi1pk = :b", {":b": _s("p#b")})
    update("move 2 in time", 2, "SET gsi1sk = :t", {":t": _s("t99")})
    update("3 leaves gsi1", 3, "REMOVE gsi1sk")
    update("5 leaves gsi3", 5, "REMOVE gsi3pk")
    update("6 joins gsi3", 6, "SET gsi3pk = :f", {":f": _s("f#1")})
    call("7 replaced", "put_item", TableName="books", Item=item(7, "p#b") | {"n": _n(70)})
    call("9 deleted", "delete_item", TableName="books", Key=key(9))
    update("upsert 40 into p#a", 40, "SET gsi1pk = :a, gsi1sk = :t", {":a": _s("p#a"), ":t": _s("t04")})
    update(
        "a failed conditional move",
        10,
        "SET gsi1pk = :b",
        {":b": _s("p#b")},
        ConditionExpression="attribute_not_exists(pk)",
    )
    every_shape("after moves")

    # Transactions: one that commits moves, one whose cancellation rolls moves back.
    def moves(required_n: int) -> list[dict[str, Any]]:
        return [
            {
                "Update": {
                    "TableName": "books",
                    "Key": key(11),
                    "UpdateExpression": "SET gsi1pk = :b",
                    "ExpressionAttributeValues": {":b": _s("p#b")},
                }
            },
            {"Delete": {"TableName": "books", "Key": key(13)}},
            {"Put": {"TableName": "books", "Item": item(50, "p#a")}},
            {
                "Update": {
                    "TableName": "books",
                    "Key": key(14),
                    "UpdateExpression": "SET gsi1sk = :t",
                    "ConditionExpression": "n = :n",
                    "ExpressionAttributeValues": {":t": _s("t00"), ":n": _n(required_n)},
                }
            },
        ]

    call("transaction rolled back", "transact_write_items", TransactItems=moves(99))
    every_shape("after a rolled back transaction")
    call("transaction committed", "transact_write_items", TransactItems=moves(14))
    call(
        "batch write",
        "batch_write_item",
        RequestItems={
            "books": [
                {"PutRequest": {"Item": item(60, "p#a")}},
                {"DeleteRequest": {"Key": key(15)}},
                {"PutRequest": {"Item": item(16, "p#b")}},
            ]
        },
    )
    every_shape("after a transaction and a batch")
    call(
        "a start key of a deleted item",
        "query",
        TableName="books",
        IndexName="gsi1",
        Limit=3,
        KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": _s("p#a")},
        ExclusiveStartKey={"pk": _s("item#09"), "sk": _s("EV"), "gsi1pk": _s("p#a"), "gsi1sk": _s("t00")},
    )

    # Big items: moto's 1 MB page limit, reached inside the range and just after it.
    for number in range(5):
        big = item(80 + number, "p#big") | {"gsi1sk": _s(f"b{number}"), "text": _s("x" * 300000)}
        call(f"put big {number}", "put_item", TableName="books", Item=big)
    for forward in (True, False):
        big = {"IndexName": "gsi1", "ScanIndexForward": forward}
        pages(
            f"big, unlimited, forward={forward}",
            **big,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": _s("p#big")},
        )
        pages(
            f"big, two in range, forward={forward}",
            **big,
            Limit=5,
            KeyConditionExpression="gsi1pk = :p AND gsi1sk BETWEEN :a AND :b",
            ExpressionAttributeValues={":p": _s("p#big"), ":a": _s("b1"), ":b": _s("b2")},
        )
    call("final scan", "scan", TableName="books")
    return log


def _run(app: Any) -> tuple[list[tuple[str, Outcome]], list[tuple[int, Any]]]:
    dynamodb = InProcessDynamoDB(app)
    return index_scenario(dynamodb.client), dynamodb.raw


@pytest.fixture(scope="module")
def unpatched() -> tuple[list[tuple[str, Outcome]], list[tuple[int, Any]]]:
    return _run(_moto_app())


def test_the_scenario_pages_and_reaches_the_page_size_limit(unpatched: Any) -> None:
    log = dict(unpatched[0])
    assert "LastEvaluatedKey" in log["filled: gsi1 p#a forward=True page 0"][1]
    assert log["big, unlimited, forward=True page 0"][1]["Count"] == 3  # 1 MB reached: a second page
    assert "LastEvaluatedKey" in log["big, unlimited, forward=True page 0"][1]
    assert log["transaction rolled back"][1]["Error"]["Code"] == "TransactionCanceledException"


def test_moto_answers_index_queries_the_same_with_the_book(unpatched: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(monkeypatch, PATCHES["index_book"])
    _assert_same(unpatched, _run(_moto_app()))


def test_moto_answers_the_same_with_every_patch(unpatched: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for patch in PATCHES.values():
        _install(monkeypatch, patch)
    _assert_same(unpatched, _run(moto_patches.serve_dynamodb_directly(_moto_app(), direct=True)))


def test_an_index_query_reads_its_slice_not_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once booked, a Query on an index never lists the table's items (moto's Table.all_items)."""
    from moto.dynamodb.models.table import Table

    _install(monkeypatch, PATCHES["index_book"])
    dynamodb = InProcessDynamoDB(_moto_app()).client
    dynamodb.create_table(
        TableName="big",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "g", "t")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "t", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for number in range(300):
        wanted = number % 100 == 0
        item = {"pk": _s(f"i{number}"), "sk": _s("M"), "g": _s("few" if wanted else "many"), "t": _s(f"{number:04d}")}
        dynamodb.put_item(TableName="big", Item=item)
    query = {"TableName": "big", "IndexName": "by_g", "KeyConditionExpression": "g = :g"}
    dynamodb.query(**query, ExpressionAttributeValues={":g": _s("few")})  # the first query books the table

    walked: list[int] = []
    original = Table.all_items
    monkeypatch.setattr(Table, "all_items", lambda self: walked.append(1) or original(self))
    dynamodb.put_item(TableName="big", Item={"pk": _s("late"), "sk": _s("M"), "g": _s("few"), "t": _s("9999")})
    answer = dynamodb.query(**query, ExpressionAttributeValues={":g": _s("few")}, ScanIndexForward=False, Limit=2)
    assert [item["t"]["S"] for item in answer["Items"]] == ["9999", "0200"]
    assert answer["LastEvaluatedKey"]["t"] == _s("0200")
    assert walked == []


def test_a_table_with_a_stream_keeps_its_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    """The book takes the shard's place only where there is none: a stream's records are moto's."""
    from moto.dynamodb.models.table import StreamShard

    _install(monkeypatch, PATCHES["index_book"])
    http = InProcessDynamoDB(_moto_app())
    dynamodb = http.client
    dynamodb.create_table(
        TableName="streamed",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "g")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    dynamodb.put_item(TableName="streamed", Item={"pk": _s("a"), "g": _s("x")})
    answer = dynamodb.query(
        TableName="streamed",
        IndexName="by_g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": _s("x")},
    )
    assert answer["Count"] == 1
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[http._account]["us-east-1"].tables["streamed"]
    assert isinstance(table.stream_shard, StreamShard) and len(table.stream_shard.items) == 1
    assert index_book.book_of(table) is None

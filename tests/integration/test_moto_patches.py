"""The emulator's patches of moto's internals (aisre/local/moto_patches.py, emulator.py), checked against
the installed moto: run this file first when moving to a new moto (docs/local-stack.md).

- The version guard: another moto than MOTO_VERSION stops the emulator at its start, saying why.
- Each patched attribute still exists with the parameters the patch was written against.
- Differential: the same DynamoDB requests (conditional writes, update expressions, transactions and
  their cancellation reasons, item size limits, query and scan paging, batches, errors) are answered by
  moto's own server app unpatched and with each patch alone (then all of them, as the emulator runs), in
  this process through boto3; the answers must be equal, both as boto3 parses them and as raw JSON.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.config import Config
from botocore.exceptions import ClientError

from aisre.local import moto_patches
from aisre.local.emulator import Emulator, _dispatcher, _keep_alive_handler
from aisre.local.moto_patches import MOTO_VERSION, MotoVersionError, Patch

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PATCHES = {patch.name: patch for patch in moto_patches.patches()}

# moto's own transact_write_items, of which moto_patches._transact_write_items is a reworked copy: when
# this changes, port the change into the copy (compare the two) before updating the hash.
TRANSACT_WRITE_ITEMS_SOURCE_SHA256 = "81db2cb7d94e39c90b3a2077e1f4bb41a449c558ef9b1b1e2910fdaa39978ad4"


# --- the version guard ------------------------------------------------------------------------------


def test_the_installed_moto_is_the_one_the_patches_were_written_for() -> None:
    moto_patches.check_moto_version()  # the lock pins it: a failure here means the environment drifted
    assert moto_patches.installed_moto_version() == MOTO_VERSION


def test_another_moto_version_is_refused_with_both_versions_and_what_to_do() -> None:
    with pytest.raises(MotoVersionError) as refused:
        moto_patches.check_moto_version("5.2.6")
    message = str(refused.value)
    assert f"written for moto {MOTO_VERSION}" in message and "moto 5.2.6 is installed" in message
    assert f"moto=={MOTO_VERSION}" in message  # what to install
    assert "tests/integration/test_moto_patches.py" in message and "MOTO_VERSION" in message  # how to move


def test_the_emulator_refuses_to_start_on_another_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_patches, "installed_moto_version", lambda: "5.1.0")
    emulator = Emulator()
    with pytest.raises(MotoVersionError, match=r"moto 5\.1\.0 is installed"):
        emulator.start()
    assert not emulator.running  # refused before any child process


def test_the_emulator_process_itself_refuses_another_moto() -> None:
    """The child checks too (it may be started on its own): it exits before listening, and says why."""
    code = (
        "import aisre.local.moto_patches as patches; patches.MOTO_VERSION = '0.0.1'; "
        "from aisre.local.emulator import main; main(['--port', '0'])"
    )
    child = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.PIPE,
    )
    assert child.returncode != 0
    assert "MotoVersionError" in child.stderr and "written for moto 0.0.1" in child.stderr
    assert "AISRE_EMULATOR_PORT" not in child.stdout  # never listened


# --- what each patch assumes of moto ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_each_patched_attribute_still_has_the_signature_the_patch_was_written_for(name: str) -> None:
    patch = PATCHES[name]
    assert moto_patches.bare_signature(patch.original()) == patch.signature


def test_the_copied_transact_write_items_is_still_motos_own() -> None:
    """The transactions patch is a reworked copy of moto's method: a change upstream must be ported."""
    import hashlib
    import inspect

    from moto.dynamodb.models import DynamoDBBackend

    source = inspect.getsource(DynamoDBBackend.transact_write_items)
    assert hashlib.sha256(source.encode()).hexdigest() == TRANSACT_WRITE_ITEMS_SOURCE_SHA256, (
        "moto's transact_write_items changed: port the change into moto_patches._transact_write_items"
    )


def test_what_the_request_level_patches_rely_on_is_still_there() -> None:
    """serve_dynamodb_directly, the dispatcher cache and the keep-alive handler lean on these."""
    import inspect

    from moto.core.request import Request
    from moto.core.responses import BaseResponse
    from moto.dynamodb.responses import DynamoHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler

    assert Request.from_wsgi_server is False and "form" in dir(Request) and "files" in dir(Request)
    assert isinstance(inspect.getattr_static(DynamoHandler, "dispatch"), classmethod)
    assert moto_patches.bare_signature(BaseResponse._dispatch) == "(self, request, full_url=None, headers=None)"
    assert BaseResponse.use_raw_body is False
    assert "use_raw_body" in inspect.signature(BaseResponse.setup_class).parameters
    assert moto_patches.bare_signature(DomainDispatcherApplication.get_backend_for_host) == "(self, host)"
    for method in ("make_environ", "run_wsgi", "send_response", "send_header", "end_headers", "log_request"):
        assert callable(getattr(MotoRequestHandler, method)), method
    assert _keep_alive_handler(MotoRequestHandler).__mro__[1] is MotoRequestHandler


def test_lambda_invocations_can_still_be_forwarded() -> None:
    from moto.awslambda_simple.models import LambdaSimpleBackend

    assert (
        moto_patches.bare_signature(LambdaSimpleBackend.invoke)
        == "(self, function_name, qualifier, body, headers, response_headers)"
    )


# --- differential: moto with and without each patch --------------------------------------------------

_accounts = itertools.count(100000000000)


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


class InProcessDynamoDB:
    """A boto3 DynamoDB client whose requests a WSGI app in this process answers (werkzeug's test
    client), each run in an account of its own so that runs share no tables. `raw` holds every answer's
    status and JSON body as the app sent it."""

    def __init__(self, app: Any) -> None:
        from werkzeug.test import Client

        self._http = Client(app)
        self._account = f"{next(_accounts)}"
        self.raw: list[tuple[int, Any]] = []
        self.client = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            endpoint_url="http://localhost:4566",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),  # every request once: the logs stay aligned
        )
        self.client.meta.events.register("before-send", self._send)

    def _send(self, request: Any, **_: Any) -> AWSResponse:
        headers = {
            name: value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()
        }
        headers["x-moto-account-id"] = self._account
        body = request.body.encode() if isinstance(request.body, str) else request.body or b""
        try:
            answer = self._http.open("/", method=request.method, headers=headers, data=body)
        except Exception as error:  # moto's own failure: a server would answer 500
            self.raw.append((500, f"{type(error).__name__}: {error}"))
            return AWSResponse(request.url, 500, HeadersDict(), _Body(b"{}"))
        data = answer.get_data()
        self.raw.append((answer.status_code, json.loads(data) if data else None))
        return AWSResponse(request.url, answer.status_code, HeadersDict(answer.headers.items()), _Body(data))


Outcome = tuple[str, Any]


def _outcome(call: Callable[[], dict[str, Any]]) -> Outcome:
    try:
        result = call()
    except ClientError as error:
        response = {key: value for key, value in error.response.items() if key != "ResponseMetadata"}
        response["Error"] = {key: value for key, value in response["Error"].items() if key != "Type"}
        return "error", response
    result.pop("ResponseMetadata", None)
    return "ok", result


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def scenario(dynamodb: Any) -> list[tuple[str, Outcome]]:
    """The requests, and what each got: boto3's parsed answer or its error (code, message, reasons)."""
    log: list[tuple[str, Outcome]] = []

    def call(label: str, operation: str, **params: Any) -> dict[str, Any] | None:
        outcome = _outcome(lambda: getattr(dynamodb, operation)(**params))
        log.append((label, outcome))
        return outcome[1] if outcome[0] == "ok" else None

    def pages(label: str, operation: str, **params: Any) -> None:
        start = None
        for page in range(40):
            result = call(
                f"{label} page {page}", operation, **params, **({"ExclusiveStartKey": start} if start else {})
            )
            start = result and result.get("LastEvaluatedKey")
            if not start:
                return
        raise AssertionError(f"{label}: more than 40 pages")

    keys = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
    dynamodb.create_table(
        TableName="main",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            *keys,
            *({"AttributeName": name, "AttributeType": "S"} for name in ("gsi1pk", "gsi1sk", "gsi3pk")),
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
        ],
    )
    dynamodb.create_table(
        TableName="plain",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )

    def key(pk: str, sk: str) -> dict[str, Any]:
        return {"pk": _s(pk), "sk": _s(sk)}

    # Items of every attribute type; conditional puts.
    rich = key("ws#1", "inc#rich") | {
        "title": _s("disk full"),
        "count": {"N": "3"},
        "ratio": {"N": "-0.25"},
        "blob": {"B": b"\x00\xffdata"},
        "flag": {"BOOL": True},
        "nothing": {"NULL": True},
        "tags": {"SS": ["a", "b"]},
        "sizes": {"NS": ["1", "2.5"]},
        "blobs": {"BS": [b"x", b"y"]},
        "nested": {"M": {"list": {"L": [_s("v"), {"N": "1"}, {"M": {"deep": _s("er")}}]}, "empty": {"M": {}}}},
        "unicode": _s("café ☕"),
    }
    call("put rich", "put_item", TableName="main", Item=rich, ReturnValues="ALL_OLD")
    call("put rich again, ALL_OLD", "put_item", TableName="main", Item=rich, ReturnValues="ALL_OLD")
    call("get rich", "get_item", TableName="main", Key=key("ws#1", "inc#rich"), ConsistentRead=True)
    call(
        "get rich projected",
        "get_item",
        TableName="main",
        Key=key("ws#1", "inc#rich"),
        ProjectionExpression="title, #n.#l, tags",
        ExpressionAttributeNames={"#n": "nested", "#l": "list"},
    )
    call("get missing", "get_item", TableName="main", Key=key("ws#1", "nope"))
    call("get from a missing table", "get_item", TableName="missing", Key=key("ws#1", "nope"))
    call("get with a partial key", "get_item", TableName="main", Key={"pk": _s("ws#1")})
    new_only = {"ConditionExpression": "attribute_not_exists(pk)"}
    call("conditional put, new", "put_item", TableName="main", Item=key("ws#1", "once") | {"v": _s("1")}, **new_only)
    call("conditional put, exists", "put_item", TableName="main", Item=key("ws#1", "once") | {"v": _s("2")}, **new_only)
    call(
        "conditional put, exists, ALL_OLD on failure",
        "put_item",
        TableName="main",
        Item=key("ws#1", "once") | {"v": _s("3")},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
        **new_only,
    )
    call(
        "conditional put, functions",
        "put_item",
        TableName="main",
        Item=key("ws#1", "inc#rich") | {"title": _s("replaced")},
        ConditionExpression="begins_with(title, :d) AND contains(tags, :a) AND size(tags) = :two AND #c BETWEEN :one "
        "AND :five AND flag IN (:t, :f)",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={
            ":d": _s("disk"),
            ":a": _s("a"),
            ":two": {"N": "2"},
            ":one": {"N": "1"},
            ":five": {"N": "5"},
            ":t": {"BOOL": True},
            ":f": {"BOOL": False},
        },
        ReturnValues="ALL_OLD",
        ReturnConsumedCapacity="TOTAL",
    )
    call(
        "conditional put, unused value",
        "put_item",
        TableName="main",
        Item=key("ws#1", "x"),
        ConditionExpression="attribute_not_exists(pk)",
        ExpressionAttributeValues={":unused": _s("u")},
    )
    call("put without the range key", "put_item", TableName="main", Item={"pk": _s("ws#1")})

    # Update expressions: upserts, arithmetic, lists, sets, removals, nested paths, each ReturnValues.
    counter = key("ws#1", "counter")
    upsert = "SET #c = if_not_exists(#c, :zero) + :one, updated = :now"
    for now in ("t1", "t2", "t3"):
        call(
            f"upsert counter {now}",
            "update_item",
            TableName="main",
            Key=counter,
            UpdateExpression=upsert,
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}, ":now": _s(now)},
            ReturnValues="ALL_NEW",
        )
    for tag, returns in (("x", "UPDATED_NEW"), ("y", "UPDATED_OLD"), ("z", "ALL_OLD")):
        call(
            f"append {tag}",
            "update_item",
            TableName="main",
            Key=counter,
            UpdateExpression="SET tags = list_append(if_not_exists(tags, :empty), :tag)",
            ExpressionAttributeValues={":empty": {"L": []}, ":tag": {"L": [_s(tag)]}},
            ReturnValues=returns,
        )
    call(
        "add number and set",
        "update_item",
        TableName="main",
        Key=counter,
        UpdateExpression="ADD hits :one, labels :labels",
        ExpressionAttributeValues={":one": {"N": "1"}, ":labels": {"SS": ["p", "q", "r"]}},
        ReturnValues="ALL_NEW",
    )
    call(
        "delete from set, remove, nested set",
        "update_item",
        TableName="main",
        Key=counter,
        UpdateExpression="DELETE labels :q REMOVE updated, tags[0] SET info = :info",
        ExpressionAttributeValues={":q": {"SS": ["q"]}, ":info": {"M": {"where": {"M": {}}}}},
        ReturnValues="ALL_NEW",
    )
    call(
        "nested set",
        "update_item",
        TableName="main",
        Key=counter,
        UpdateExpression="SET info.#w.deep = :d, info.more = :m",
        ExpressionAttributeNames={"#w": "where"},
        ExpressionAttributeValues={":d": _s("there"), ":m": {"L": [{"N": "1"}]}},
        ReturnValues="UPDATED_NEW",
    )
    bad_updates = {
        "nested set on a missing path": ("SET #a.#b = :v", {":v": _s("v")}, {"#a": "absent", "#b": "inner"}),
        "update of a key attribute": ("SET pk = :v", {":v": _s("v")}, None),
        "syntax error": ("SET = :v", {":v": _s("v")}, None),
        "unused value": ("SET a = :v", {":v": _s("v"), ":unused": _s("u")}, None),
        "missing name": ("SET #missing = :v", {":v": _s("v")}, None),
        "missing value": ("SET a = :missing", {":v": _s("v")}, None),
        "arithmetic on a string": ("SET b = updated + :one", {":one": {"N": "1"}}, None),
        "same path twice": ("SET a = :v, a = :v", {":v": _s("v")}, None),
        "set then remove the same path": ("SET a = :v REMOVE a", {":v": _s("v")}, None),
        "add to a string": ("ADD title :one", {":one": {"N": "1"}}, None),
    }
    for label, (expression, values, names) in bad_updates.items():
        call(
            label,
            "update_item",
            TableName="main",
            Key=key("ws#1", "inc#rich"),
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
            **({"ExpressionAttributeNames": names} if names else {}),
        )
    for state, label in (("open", "conditional update, true"), ("open", "conditional update, false")):
        call(
            label,
            "update_item",
            TableName="main",
            Key=counter,
            UpdateExpression="SET #s = :next",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(#s) OR #s = :state)",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={":state": _s(state), ":next": _s("closed")},
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    call(
        "conditional delete, false",
        "delete_item",
        TableName="main",
        Key=key("ws#1", "once"),
        ConditionExpression="v = :two",
        ExpressionAttributeValues={":two": _s("2")},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    call(
        "conditional delete, true",
        "delete_item",
        TableName="main",
        Key=key("ws#1", "once"),
        ConditionExpression="v = :one",
        ExpressionAttributeValues={":one": _s("1")},
        ReturnValues="ALL_OLD",
    )
    call("delete missing", "delete_item", TableName="main", Key=key("ws#1", "once"), ReturnValues="ALL_OLD")

    # Item size: moto's limit, on both sides of it, for a put, an update and a transaction.
    overhead = len("pk") + len("ws#size") + len("sk") + len("big") + len("text")
    for extra in (-1, 0, 1):
        length = 405000 - overhead + extra
        call(
            f"put of size limit {extra:+d}",
            "put_item",
            TableName="main",
            Item=key("ws#size", "big") | {"text": _s("x" * length)},
        )
    many = {f"attribute{index:03d}": _s("v" * 1000) for index in range(400)}
    call("put of many attributes, within", "put_item", TableName="main", Item=key("ws#size", "many") | many)
    more = many | {f"extra{index}": {"B": b"\x01" * 600} for index in range(3)}
    call("put of many attributes, over", "put_item", TableName="main", Item=key("ws#size", "many") | more)
    call(
        "update over the limit",
        "update_item",
        TableName="main",
        Key=key("ws#size", "many"),
        UpdateExpression="SET more = :v",
        ExpressionAttributeValues={":v": _s("y" * 5000)},
    )
    call(
        "nested map over the limit",
        "put_item",
        TableName="main",
        Item=key("ws#size", "n") | {"m": {"M": {"a": _s("z" * 405000)}}},
    )

    # Transactions: success, cancellation and its reasons, all-or-nothing, validation failures.
    call(
        "put counter state",
        "put_item",
        TableName="main",
        Item=key("ws#t", "counter") | {"state": _s("open"), "hits": {"N": "1"}},
    )
    call("put gone", "put_item", TableName="plain", Item={"id": _s("gone")})

    def transaction(required: str, **extra: Any) -> list[dict[str, Any]]:
        return [
            {"Put": {"TableName": "main", "Item": key("ws#t", f"event#{required}") | {"at": _s("t")}}},
            {
                "Update": {
                    "TableName": "main",
                    "Key": key("ws#t", "counter"),
                    "UpdateExpression": "SET hits = hits + :one",
                    "ConditionExpression": "#s = :required",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":required": _s(required)},
                    **extra,
                }
            },
            {"Delete": {"TableName": "plain", "Key": {"id": _s("gone")}}},
            {
                "ConditionCheck": {
                    "TableName": "main",
                    "Key": key("ws#1", "counter"),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]

    call("transaction, all conditions hold", "transact_write_items", TransactItems=transaction("open"))
    call("put gone again", "put_item", TableName="plain", Item={"id": _s("gone")})
    call("transaction, one condition fails", "transact_write_items", TransactItems=transaction("resolved"))
    call(
        "transaction, fails with ALL_OLD",
        "transact_write_items",
        TransactItems=transaction("resolved", ReturnValuesOnConditionCheckFailure="ALL_OLD"),
    )
    call(
        "transaction, two conditions fail",
        "transact_write_items",
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": "plain",
                    "Key": {"id": _s("absent")},
                    "ConditionExpression": "attribute_exists(id)",
                }
            },
            {
                "Put": {
                    "TableName": "main",
                    "Item": key("ws#t", "counter") | {"state": _s("new")},
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {"Put": {"TableName": "main", "Item": key("ws#t", "after")}},
        ],
    )
    call(
        "transaction, the same item twice",
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": "main", "Item": key("ws#t", "twice") | {"n": _s("1")}}},
            {"Delete": {"TableName": "main", "Key": key("ws#t", "twice")}},
        ],
    )
    call(
        "transaction, a bad update expression",
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": "main", "Item": key("ws#t", "before-bad")}},
            {
                "Update": {
                    "TableName": "main",
                    "Key": key("ws#t", "counter"),
                    "UpdateExpression": "SET hits = hits + :missing",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ],
    )
    call(
        "transaction, arithmetic on a missing attribute",
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": "main", "Item": key("ws#t", "before-arith")}},
            {
                "Update": {
                    "TableName": "main",
                    "Key": key("ws#t", "counter"),
                    "UpdateExpression": "SET nope = nope + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ],
    )
    call(
        "transaction, an item too large",
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": "main", "Item": key("ws#t", "before-big")}},
            {"Put": {"TableName": "main", "Item": key("ws#t", "big") | {"text": _s("x" * 405000)}}},
        ],
    )
    call(
        "transaction, a missing table",
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": "main", "Item": key("ws#t", "before-missing")}},
            {"Put": {"TableName": "missing", "Item": {"id": _s("x")}}},
        ],
    )
    call(
        "transaction, 101 items",
        "transact_write_items",
        TransactItems=[{"Put": {"TableName": "main", "Item": key("ws#many", str(n))}} for n in range(101)],
    )
    call(
        "transact get",
        "transact_get_items",
        TransactItems=[
            {"Get": {"TableName": "main", "Key": key("ws#t", "counter")}},
            {"Get": {"TableName": "main", "Key": key("ws#t", "event#resolved")}},
            {"Get": {"TableName": "plain", "Key": {"id": _s("gone")}, "ProjectionExpression": "id"}},
        ],
    )

    # Query and scan paging, on the base table (hash and range; hash only) and on indexes.
    for number in range(23):
        item = key("ws#q", f"inc#{number:02d}") | {
            "gsi1pk": _s(f"svc#{'ab'[number % 2]}"),
            "gsi1sk": _s(f"2024-01-{number % 9:02d}"),  # repeated: index order ties
            "n": {"N": str(number)},
        }
        if number % 3:
            item["gsi3pk"] = _s(f"fp#{number % 4}")
        call(f"put q{number}", "put_item", TableName="main", Item=item)
    for number in range(9):
        call(
            f"put plain {number}", "put_item", TableName="plain", Item={"id": _s(f"p{number}"), "n": {"N": str(number)}}
        )
    partition = {"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": {":pk": _s("ws#q")}}
    pages("query", "query", TableName="main", Limit=4, **partition)
    pages("query backwards", "query", TableName="main", Limit=5, ScanIndexForward=False, **partition)
    pages(
        "query begins_with, filtered, projected",
        "query",
        TableName="main",
        Limit=3,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
        FilterExpression="n > :five",
        ProjectionExpression="sk, n",
        ExpressionAttributeValues={":pk": _s("ws#q"), ":p": _s("inc#1"), ":five": {"N": "5"}},
        ReturnConsumedCapacity="TOTAL",
    )
    pages(
        "query between, count",
        "query",
        TableName="main",
        Limit=6,
        Select="COUNT",
        KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues={":pk": _s("ws#q"), ":a": _s("inc#03"), ":b": _s("inc#17")},
        ConsistentRead=True,
    )
    call("query, unlimited", "query", TableName="main", **partition)
    call(
        "query, an empty partition",
        "query",
        TableName="main",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": _s("ws#none")},
    )
    call(
        "query, hash-only table",
        "query",
        TableName="plain",
        KeyConditionExpression="id = :id",
        ExpressionAttributeValues={":id": _s("p3")},
    )
    index_a = {"KeyConditionExpression": "gsi1pk = :p", "ExpressionAttributeValues": {":p": _s("svc#a")}}
    pages("query gsi1", "query", TableName="main", IndexName="gsi1", Limit=3, **index_a)
    pages(
        "query gsi1 backwards", "query", TableName="main", IndexName="gsi1", Limit=4, ScanIndexForward=False, **index_a
    )
    pages(
        "query gsi1 range",
        "query",
        TableName="main",
        IndexName="gsi1",
        Limit=2,
        KeyConditionExpression="gsi1pk = :p AND gsi1sk > :t",
        ExpressionAttributeValues={":p": _s("svc#b"), ":t": _s("2024-01-03")},
    )
    pages(
        "query gsi3 keys only",
        "query",
        TableName="main",
        IndexName="gsi3",
        Limit=2,
        KeyConditionExpression="gsi3pk = :f",
        ExpressionAttributeValues={":f": _s("fp#1")},
    )
    call("query, a missing index", "query", TableName="main", IndexName="gsi9", **index_a)
    call(
        "query, a key condition on a non-key",
        "query",
        TableName="main",
        KeyConditionExpression="n = :n",
        ExpressionAttributeValues={":n": {"N": "1"}},
    )
    call(
        "query, a bad key condition",
        "query",
        TableName="main",
        KeyConditionExpression="pk = ",
        ExpressionAttributeValues={":pk": _s("x")},
    )
    call(
        "query, ExclusiveStartKey of a missing item",
        "query",
        TableName="main",
        Limit=3,
        ExclusiveStartKey=key("ws#q", "inc#05x"),
        **partition,
    )
    pages("scan", "scan", TableName="main", Limit=7)
    pages("scan plain", "scan", TableName="plain", Limit=4)
    pages("scan filtered", "scan", TableName="main", Limit=10, FilterExpression="attribute_exists(gsi3pk)")
    pages("scan gsi1", "scan", TableName="main", IndexName="gsi1", Limit=5)

    # Batches.
    call(
        "batch write",
        "batch_write_item",
        RequestItems={
            "main": [
                {"PutRequest": {"Item": key("ws#b", "one") | {"v": _s("1")}}},
                {"PutRequest": {"Item": key("ws#b", "two")}},
                {"DeleteRequest": {"Key": key("ws#q", "inc#00")}},
            ],
            "plain": [{"DeleteRequest": {"Key": {"id": _s("p0")}}}],
        },
    )
    call(
        "batch write, an item too large",
        "batch_write_item",
        RequestItems={"main": [{"PutRequest": {"Item": key("ws#b", "big") | {"text": _s("x" * 405000)}}}]},
    )
    call(
        "batch get",
        "batch_get_item",
        RequestItems={
            "main": {
                "Keys": [key("ws#b", "one"), key("ws#b", "missing"), key("ws#q", "inc#00"), key("ws#1", "counter")],
                "ProjectionExpression": "pk, sk, v, #c",
                "ExpressionAttributeNames": {"#c": "count"},
            },
            "plain": {"Keys": [{"id": _s("p0")}, {"id": _s("p1")}], "ConsistentRead": True},
        },
    )
    # Everything stored at the end, as the last word on what the writes did.
    call("final scan main", "scan", TableName="main")
    call("final scan plain", "scan", TableName="plain")
    return log


def _sorted_batch(outcome: Outcome) -> Outcome:
    """BatchGetItem returns each table's items in no particular order (DynamoDB does not promise one)."""
    kind, result = outcome
    if kind == "ok" and isinstance(result.get("Responses"), dict):
        result = dict(result, Responses={t: sorted(items, key=repr) for t, items in result["Responses"].items()})
    return kind, result


def _run(app: Any) -> tuple[list[tuple[str, Outcome]], list[tuple[int, Any]]]:
    dynamodb = InProcessDynamoDB(app)
    log = scenario(dynamodb.client)
    return [(label, _sorted_batch(outcome)) for label, outcome in log], dynamodb.raw


def _moto_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


@pytest.fixture(scope="module")
def unpatched() -> tuple[list[tuple[str, Outcome]], list[tuple[int, Any]]]:
    """moto's own server app, as `moto_server` serves it, without any patch."""
    return _run(_moto_app())


def _install(monkeypatch: pytest.MonkeyPatch, patch: Patch) -> None:
    monkeypatch.setattr(patch.owner, patch.attribute, patch.replacement())


def _assert_same(
    expected: tuple[list[tuple[str, Outcome]], list[tuple[int, Any]]],
    actual: tuple[list[tuple[str, Outcome]], list[tuple[int, Any]]],
) -> None:
    (want, want_raw), (got, got_raw) = expected, actual
    for (label, outcome), (wanted, reference) in zip(got, want, strict=False):  # the first difference
        assert (label, outcome) == (wanted, reference), (
            f"{wanted}: patched {label} {outcome!r:.600}\n  moto's own {reference!r:.600}"
        )
    assert [label for label, _ in got] == [label for label, _ in want]
    assert len(got_raw) == len(want_raw)
    for index, (raw, reference) in enumerate(zip(got_raw, want_raw, strict=True)):
        if isinstance(reference[1], dict) and isinstance(reference[1].get("Responses"), dict):
            continue  # batch get: order-free, compared above
        if isinstance(reference[1], dict) and "TableDescription" in reference[1]:
            continue  # CreateTable: its creation time differs
        assert raw == reference, f"raw answer {index}: patched {raw!r:.600}\n  moto's own {reference!r:.600}"


def test_the_scenario_exercises_what_the_patches_touch(unpatched: Any) -> None:
    """A differential test is only as good as its requests: they must reach each case in moto."""
    log = dict(unpatched[0])
    codes = {outcome[1]["Error"]["Code"] for outcome in log.values() if outcome[0] == "error"}
    assert {"ConditionalCheckFailedException", "TransactionCanceledException", "ValidationException"} <= codes
    assert {"ResourceNotFoundException"} <= codes
    reasons = log["transaction, two conditions fail"][1]["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["ConditionalCheckFailed", "ConditionalCheckFailed", "None"]
    assert "Item" in reasons[1]  # ReturnValuesOnConditionCheckFailure
    assert log["put of size limit +0"][0] == "ok" and log["put of size limit +1"][0] == "error"
    assert "LastEvaluatedKey" in log["query page 0"][1] and "LastEvaluatedKey" in log["query gsi1 page 0"][1]
    assert log["transaction, all conditions hold"][0] == "ok" and log["upsert counter t3"][0] == "ok"


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_moto_answers_the_same_with_each_patch(name: str, unpatched: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(monkeypatch, PATCHES[name])
    _assert_same(unpatched, _run(_moto_app()))


@pytest.mark.parametrize("direct", [False, True], ids=["lock only", "direct"])
def test_moto_answers_the_same_served_directly(direct: bool, unpatched: Any) -> None:
    """serve_dynamodb_directly: DynamoDB one request at a time, past Flask (direct) or through it."""
    _assert_same(unpatched, _run(moto_patches.serve_dynamodb_directly(_moto_app(), direct=direct)))


def test_moto_answers_the_same_with_every_patch_as_the_emulator_runs(
    unpatched: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for patch in PATCHES.values():
        _install(monkeypatch, patch)
    app = moto_patches.serve_dynamodb_directly(_dispatcher(), direct=True)
    _assert_same(unpatched, _run(app))


def test_the_answer_headers_are_moto_s_own_when_served_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Status line and headers a client sees, for a success and an error: the same as through Flask."""
    from werkzeug.test import Client

    def answers(app: Any) -> list[tuple[str, dict[str, str]]]:
        http = Client(app)
        account = {
            "x-moto-account-id": f"{next(_accounts)}",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        }
        seen = []
        for target, body in (
            ("ListTables", {}),
            ("GetItem", {"TableName": "missing", "Key": {"id": {"S": "x"}}}),
        ):
            headers = account | {"X-Amz-Target": f"DynamoDB_20120810.{target}"}
            answer = http.post("/", headers=headers, data=json.dumps(body))
            kept = {
                name.lower(): value
                for name, value in answer.headers.items()
                # Per answer: the request id and its checksum. Flask's only: a CORS header for browsers,
                # the length (the emulator's servers add it), and moto's internal "status" header.
                if name.lower()
                not in ("x-amzn-requestid", "x-amz-crc32", "access-control-allow-origin", "content-length", "status")
            }
            seen.append((answer.status_code, kept))
        return seen

    expected = answers(_moto_app())
    for patch in PATCHES.values():
        _install(monkeypatch, patch)
    assert answers(moto_patches.serve_dynamodb_directly(_dispatcher(), direct=True)) == expected

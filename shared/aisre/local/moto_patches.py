"""Fixes to moto's DynamoDB for an emulator that serves concurrent requests; applied in the emulator process.

Four problems, all invisible in moto's usual single-threaded, small-table test use:
- TransactWriteItems deep-copies every table it touches before writing, to roll back on failure. That is
  O(table size) per transaction (seconds once a table holds tens of thousands of items), and a request
  writing to the table during the copy makes it fail with "dictionary changed size during iteration".
  Here rollback snapshots only the items the transaction touches.
- moto's tables are plain dicts with no locking, so a query iterating a table while another thread writes
  can fail the same way. DynamoDB requests are therefore served one at a time (the GIL allowed little
  more anyway); other services are not held up by it.
- Every Query, even on the base table's own partition key, walks and sorts every item of the table
  (Table.all_items). A base-table Query now reads only its partition; an index Query skips the sort of
  the whole table (Query sorts its own results afterwards). Safe because requests are serialized.
- Responses go through moto's generic, model-driven serializer, a third of the emulator's time. The
  data-plane operations' results are already DynamoDB's wire JSON, so they are dumped as they are
  (falling back to the serializer for anything that is not plain JSON).

And costs that dominate once the platform sends hundreds of alerts a second (each function below says
what it saves): moto's Flask route for DynamoDB, parsing the same UpdateExpression twice per update and
again for every request, deep-copying each update's expression tree, and re-measuring a new item's size
as each of its attributes is set. None changes what moto stores or answers.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_DYNAMODB_LOCK = threading.Lock()


def serve_dynamodb_directly(app: WsgiApp) -> WsgiApp:
    """DynamoDB requests (X-Amz-Target DynamoDB_*) go straight to moto's DynamoHandler, one at a time;
    everything else to `app` (moto's dispatcher).

    moto's server routes each request through a per-service Flask app: a request context, URL
    matching, a Flask Response and teardown, about a quarter of the emulator's time per DynamoDB call
    and none of it needed for a JSON protocol with one URL. This does what that route does for
    DynamoDB (moto's convert_to_flask_response, minus the request recorder, which is off).
    """
    from http import HTTPStatus

    from botocore.exceptions import ClientError
    from moto.core.request import Request
    from moto.dynamodb.responses import DynamoHandler
    from werkzeug.datastructures import ImmutableMultiDict

    class WsgiRequest(Request):
        """DynamoDB's JSON protocol has one URL and a JSON body: no form, no files, no query string.
        moto's setup_class would parse each body as a form and again as a query string (S3's needs)."""

        from_wsgi_server = True  # as moto's own server marks its requests (it then adds no Date header)
        form = ImmutableMultiDict()
        files = ImmutableMultiDict()

    class JsonBodyDynamoHandler(DynamoHandler):
        use_raw_body = True  # the body is parsed from the request by the service model, as before

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return app(environ, start_response)
        request = WsgiRequest(environ)
        host = environ.get("HTTP_HOST")
        url = f"http://{host}{environ['PATH_INFO']}" if host and not environ["QUERY_STRING"] else request.raw_url
        with _DYNAMODB_LOCK:
            try:
                status, headers, body = JsonBodyDynamoHandler.dispatch(request, url, dict(request.headers))
            except ClientError as error:
                status, headers, body = 400, {}, error.response["Error"]["Message"]
        payload = body.encode() if isinstance(body, str) else bytes(body or b"")
        response_headers = [(name, str(value)) for name, value in headers.items() if name.lower() != "status"]
        if not any(name.lower() == "content-type" for name, _ in response_headers):
            response_headers.append(("Content-Type", "application/x-amz-json-1.0"))
        code = int(status)
        start_response(f"{code} {HTTPStatus(code).phrase}", response_headers)
        return [payload]

    return wrapped


def forward_lambda_invocations(runtime_url: str) -> None:
    """Send every Lambda invocation to the parent's FunctionRuntime (local/runtime.py) instead of Docker."""
    import urllib.request

    import moto.awslambda_simple.models as simple

    def invoke(
        self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        function = self.get_function(function_name, qualifier)
        data = body.encode() if isinstance(body, str) else (body or b"")
        request = urllib.request.Request(f"{runtime_url}/invoke/{function.function_name}", data=data, method="POST")
        timeout = float(getattr(function, "timeout", 3) or 3) + 5
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            answer = json.loads(reply.read())
        if answer["error"]:
            response_headers["x-amz-function-error"] = "Unhandled"
        payload = json.dumps(answer["payload"]).encode()
        response_headers["Content-Length"] = str(len(payload))
        return payload

    simple.LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]


def apply() -> None:
    """Install the item-level-rollback transactions and the partition-scoped queries below."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    Table.query = _scoped_query(Table.query)  # type: ignore[method-assign]
    DynamoHandler.serialized = _plain_json_for_data_plane(DynamoHandler.serialized)  # type: ignore[method-assign]
    _cache_update_expression_parses()
    _copy_expression_trees_by_pickling()
    _size_new_items_once()


def _copy_expression_trees_by_pickling() -> None:
    """moto's validator deep-copies each update's expression tree; a pickle round trip makes the same
    independent copy (the nodes are plain objects) in less than half the time."""
    import pickle

    from moto.dynamodb.parsing import validators

    def copy_tree(tree: Any, memo: Any = None) -> Any:
        try:
            return pickle.loads(pickle.dumps(tree, pickle.HIGHEST_PROTOCOL))
        except Exception:  # anything pickle cannot take is copied as before
            return copy.deepcopy(tree, memo)

    validators.deepcopy = copy_tree  # type: ignore[attr-defined, assignment]


def _size_new_items_once() -> None:
    """moto checks DynamoDB's item size limit as each attribute of a new item is set, re-measuring every
    attribute already set: quadratic in the attributes, a tenth of a new incident's emulator time. The
    item is measured once here, with the same sum and limit (moto's LimitedSizeDict)."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    limit = 405000  # moto's own, between DynamoDB's documented 400 KB and the measured 409-410 KB

    def init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > limit:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict()
        dict.update(self.attrs, converted)  # later single-attribute updates are still checked by moto

    Item.__init__ = init  # type: ignore[method-assign]


def _cache_update_expression_parses() -> None:
    """Parse each distinct UpdateExpression once. moto parses it twice per update (validation in the
    handler, then the backend), and a service sends the same few expressions over and over. Sharing the
    tree is safe: the handler only reads it and the backend's validator works on a deep copy."""
    import functools

    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]  # re-exported, not declared

    parse = UpdateExpressionParser.make.__func__  # type: ignore[attr-defined]
    cached = functools.lru_cache(maxsize=1024)(lambda expression: parse(UpdateExpressionParser, expression))
    UpdateExpressionParser.make = classmethod(lambda _cls, expression: cached(expression))  # type: ignore[method-assign, assignment]


# Operations whose results hold only JSON-native values (items are already {"S": ...} maps).
_DATA_PLANE = frozenset(
    {
        "GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
        "TransactWriteItems", "TransactGetItems", "BatchWriteItem",
    }
)  # fmt: skip


def _plain_json_for_data_plane(original: Callable[..., Any]) -> Callable[..., Any]:
    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if self._get_action() in _DATA_PLANE and isinstance(result, dict):
            try:
                body = json.dumps(result, separators=(",", ":"))
            except (TypeError, ValueError):
                return original(self, action_result)
            headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
            return 200, headers, body
        return original(self, action_result)

    return serialized


_INDEX_NAME_POSITION = 7  # Table.query(hash_key, ..., projection_expressions, index_name, ...)


def _scoped_query(original: Callable[..., Any]) -> Callable[..., Any]:
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[_INDEX_NAME_POSITION] if len(args) > _INDEX_NAME_POSITION else kwargs.get("index_name")
        if index_name:
            items = self.items

            def every_item_unsorted() -> list[Any]:
                if self.range_key_attr:
                    return [item for partition in items.values() for item in partition.values()]
                return list(items.values())

            self.all_items = every_item_unsorted
        else:
            partition = self.items.get(args[0]) if args else None
            if partition is None:
                only = []
            elif self.range_key_attr:
                only = list(partition.values())
            else:
                only = [partition]
            self.all_items = lambda: only
        try:
            return original(self, *args, **kwargs)
        finally:
            del self.all_items  # back to the class's method

    return query


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2's transact_write_items (Apache-2.0), with rollback from per-item snapshots, and each
    condition parsed and checked once: moto checked it here, then parsed and checked it again in the
    put, delete or update (requests are serialized, so the item cannot change in between)."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    # (table name, key, the item as it was or None): enough to undo every write of this transaction.
    snapshots: list[tuple[str, dict[str, Any], Any]] = []
    target_items: set[tuple[str, str]] = set()

    def rollback() -> None:
        for table_name, key, before in reversed(snapshots):
            if before is None:
                if self.get_item(table_name, key) is not None:
                    self.delete_item(table_name, key)
            else:
                self.put_item(table_name, before.to_json()["Attributes"])

    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(item) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            marker = (str(table_name), str(dict(sorted(key.items()))))
            if marker in target_items:
                raise MultipleTransactionsException()
            target_items.add(marker)

            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition = get_filter_expression(condition_expression, names, values)
                if not condition.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type != "ConditionCheck":
                snapshots.append((table_name, key, copy.deepcopy(current)))
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            rollback()
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # moto reports any other failure as this item's cancellation reason
            errors.append((type(error).__name__, str(error), original_item))

    if any(code is not None for code, _, _ in errors):
        rollback()
        raise TransactionCanceledException(errors)

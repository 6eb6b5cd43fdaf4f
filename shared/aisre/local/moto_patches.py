"""Patches of moto's internals, applied in the emulator process only; written for one moto version.

Correctness fixes, for an emulator that serves concurrent requests and large tables (always on):
- TransactWriteItems deep-copies every table it touches before writing, to roll back on failure. That is
  O(table size) per transaction (seconds once a table holds tens of thousands of items), and a request
  writing to the table during the copy makes it fail with "dictionary changed size during iteration".
  Here rollback snapshots only the items the transaction touches.
- moto's tables are plain dicts with no locking, so a query iterating a table while another thread writes
  can fail the same way. DynamoDB requests are therefore served one at a time (the GIL allowed little
  more anyway); other services are not held up by it.
- Lambda invocations go to the parent's FunctionRuntime instead of Docker.
- SendTaskFailure keeps its `cause`: moto's handler passes only the error on, so a workflow whose approval was
  rejected would fail without the reason (Catch's `Cause` null) where AWS carries it.

Speed work (each switchable, see speedups.py; docs/local-stack.md gives what each saves): DynamoDB
straight to moto's handler without Flask; a base-table Query scoped to its partition; an index Query read
from a sorted book of the index (index_book.py); data-plane
results dumped as plain JSON; each UpdateExpression parsed once; a new item measured once; moto's
per-request method listing cached. None changes what moto stores or answers:
tests/integration/test_moto_patches.py sends the same requests to patched and unpatched moto.

MOTO_VERSION is the moto these patches were written and tested for; the emulator refuses to start on any
other (check_moto_version), since a patch of internals can silently change behaviour on a new release.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aisre.local import speedups

MOTO_VERSION = "5.2.5"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# Re-entrant: the emulator's interceptors (local/intercept.py) hold it around a whole request, moto's serving inside.
DYNAMODB_LOCK = threading.RLock()
_DYNAMODB_SCOPE = "AWS4-HMAC-SHA256 Credential=unsigned/20240101/us-east-1/dynamodb/aws4_request, Signature=-"


class MotoVersionError(RuntimeError):
    """The installed moto is not the one the emulator's patches were written for."""


def installed_moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def check_moto_version(installed: str | None = None) -> None:
    """Raise MotoVersionError unless moto is exactly MOTO_VERSION."""
    installed = installed_moto_version() if installed is None else installed
    if installed != MOTO_VERSION:
        raise MotoVersionError(
            f"the local emulator patches moto's internals and was written for moto {MOTO_VERSION}, "
            f"but moto {installed} is installed. Install moto=={MOTO_VERSION} (the version the lock file "
            f"pins), or, to move to moto {installed}: run `pytest tests/integration/test_moto_patches.py` "
            "with it, mend or drop each patch whose test fails, then set MOTO_VERSION in "
            "shared/aisre/local/moto_patches.py (docs/local-stack.md, 'Moving to a new moto')."
        )


def serve_dynamodb_directly(app: WsgiApp, *, direct: bool | None = None) -> WsgiApp:
    """DynamoDB requests (X-Amz-Target DynamoDB_*) are served one at a time (the lock above); with
    `direct` (default: its switch in speedups.py) they go straight to moto's DynamoHandler, otherwise to
    `app` (moto's dispatcher) like everything else.

    moto's server routes each request through a per-service Flask app: a request context, URL
    matching, a Flask Response and teardown, none of it needed for a JSON protocol with one URL. `direct`
    does what that route does for DynamoDB (moto's convert_to_flask_response, minus the request recorder,
    which is off, and Flask-CORS's header).
    """
    from http import HTTPStatus

    from botocore.exceptions import ClientError
    from moto.core.request import Request
    from moto.dynamodb.responses import DynamoHandler

    direct = speedups.enabled("direct_handler") if direct is None else direct

    class WsgiRequest(Request):
        from_wsgi_server = True  # as moto's own server marks its requests (it then adds no Date header)

    def through_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # moto's dispatcher tells an unsigned request's service only for a few services; DynamoDB's it
        # reads off a signature's scope (the platform's own calls go unsigned locally).
        environ.setdefault("HTTP_AUTHORIZATION", _DYNAMODB_SCOPE)
        with DYNAMODB_LOCK:
            return list(app(environ, start_response))

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return app(environ, start_response)
        if not direct:
            return through_app(environ, start_response)
        request = WsgiRequest(environ)
        with DYNAMODB_LOCK:
            try:
                status, headers, body = DynamoHandler.dispatch(request, request.raw_url, dict(request.headers))
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


@dataclass(frozen=True)
class Patch:
    """One attribute of moto replaced: `owner.attribute = make(original)`. `signature` is the original's
    (bare_signature) in MOTO_VERSION; tests/integration/test_moto_patches.py checks it is still so, and
    that moto answers the same with the patch as without."""

    name: str
    owner: Any
    attribute: str
    make: Callable[[Any], Any]
    signature: str

    def original(self) -> Any:
        # A class's own __dict__ entry keeps a classmethod a classmethod; an inherited one is looked up.
        if isinstance(self.owner, type):
            for klass in self.owner.__mro__:
                if self.attribute in vars(klass):
                    return vars(klass)[self.attribute]
        return getattr(self.owner, self.attribute)

    def replacement(self) -> Any:
        return self.make(self.original())


# Always installed, whatever AISRE_LOCAL_SPEEDUPS_OFF says: moto answers wrongly without them.
CORRECTNESS_FIXES = frozenset({"transactions", "task_failure_cause"})


def patches() -> list[Patch]:
    """Every patch of moto's internals that apply() installs (correctness fixes first, then speed)."""
    import moto.core.responses as moto_responses
    import moto.sqs.models as moto_sqs_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]  # re-exported
    from moto.dynamodb.responses import DynamoHandler
    from moto.stepfunctions.responses import StepFunctionResponse

    from aisre.local.index_book import indexed_query

    query_signature = (
        "(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward, "
        "projection_expressions, index_name=None, consistent_read=False, filter_expression=None, "
        "hash_key_conditions=None, range_key_conditions=None, **filter_kwargs)"
    )
    return [
        Patch(
            "transactions",
            DynamoDBBackend,
            "transact_write_items",
            lambda _original: _transact_write_items,
            "(self, transact_items)",
        ),
        Patch("task_failure_cause", StepFunctionResponse, "send_task_failure", _task_failure_with_cause, "(self)"),
        # Before scoped_query, which then wraps it: its table-wide item list is replaced by the book's slice.
        Patch("index_book", Table, "query", indexed_query, query_signature),
        Patch(
            "scoped_query",
            Table,
            "query",
            _scoped_query,
            query_signature,
        ),
        Patch("plain_json", DynamoHandler, "serialized", _plain_json_for_data_plane, "(self, action_result)"),
        Patch("update_expression_cache", UpdateExpressionParser, "make", _cached_parse, "(cls, expression_str)"),
        Patch("size_once", Item, "__init__", _measured_once, "(self, hash_key, range_key, attrs)"),
        Patch("method_names_cache", moto_responses, "method_names_from_class", functools.cache, "(clazz)"),
        Patch("sqs_clock", moto_sqs_models, "unix_time_millis", _fast_unix_time_millis, "(dt=None)"),
    ]


def bare_signature(function: Any) -> str:
    """`function`'s parameters as "(a, b=None, **c)": names, kinds and defaults, without annotations."""
    import inspect

    if isinstance(function, classmethod | staticmethod):
        function = function.__func__
    signature = inspect.signature(function)
    bare = [parameter.replace(annotation=inspect.Parameter.empty) for parameter in signature.parameters.values()]
    return str(signature.replace(parameters=bare, return_annotation=inspect.Signature.empty))


def apply() -> None:
    """Check moto's version, then install every patch above (those of speed work unless switched off)."""
    check_moto_version()
    for patch in patches():
        if patch.name in CORRECTNESS_FIXES or speedups.enabled(patch.name):
            setattr(patch.owner, patch.attribute, patch.replacement())


def _task_failure_with_cause(_original: Any) -> Callable[[Any], Any]:
    """SendTaskFailure with its cause: moto's handler reads `cause` off no request and calls the backend with
    the error alone. The executing backend (the ASL interpreter, the one the emulator runs) takes both."""
    import inspect

    from moto.core.responses import EmptyResult

    def send_task_failure(self: Any) -> Any:
        backend = self.stepfunction_backend
        keywords: dict[str, Any] = {"error": self._get_param("error")}
        if "cause" in inspect.signature(backend.send_task_failure).parameters:
            keywords["cause"] = self._get_param("cause")
        backend.send_task_failure(self._get_param("taskToken"), **keywords)
        return EmptyResult()

    return send_task_failure


def _fast_unix_time_millis(original: Callable[..., float]) -> Callable[..., float]:
    """moto's SQS asks the time of every message of a queue on each send (a queue's attributes count the
    visible, delayed and in-flight messages, and send_message reads one of them), each through datetime
    arithmetic: 20 ms a send with 1,500 messages queued. The same clock, read as time.time()."""

    def unix_time_millis(dt: Any = None) -> float:
        return time.time() * 1000.0 if dt is None else original(dt)

    return unix_time_millis


_ITEM_SIZE_LIMIT = 405000  # moto's own (LimitedSizeDict), between DynamoDB's 400 KB and the measured 409-410 KB


def _measured_once(_original: Any) -> Callable[..., None]:
    """moto checks DynamoDB's item size limit as each attribute of a new item is set, re-measuring every
    attribute already set: quadratic in the attributes, a tenth of a new incident's emulator time. The
    item is measured once here, with the same sum and limit (moto's LimitedSizeDict)."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > _ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict()
        dict.update(self.attrs, converted)  # later single-attribute updates are still checked by moto

    return init


def _cached_parse(original: Any) -> Any:
    """Parse each distinct UpdateExpression once. moto parses it twice per update (validation in the
    handler, then the backend), and a service sends the same few expressions over and over. Sharing the
    tree is safe: the handler only reads it and the backend's validator works on a deep copy."""
    parse = original.__func__

    @functools.lru_cache(maxsize=1024)
    def cached(cls: Any, expression: str) -> Any:
        return parse(cls, expression)

    return classmethod(lambda cls, expression: cached(cls, expression))  # type: ignore[arg-type]


# Operations whose results hold only JSON-native values (items are already {"S": ...} maps).
_DATA_PLANE = frozenset(
    {
        "GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
        "TransactWriteItems", "TransactGetItems", "BatchWriteItem",
    }
)  # fmt: skip


def _plain_json_for_data_plane(original: Callable[..., Any]) -> Callable[..., Any]:
    """Responses go through moto's generic, model-driven serializer. The data-plane operations' results
    are already DynamoDB's wire JSON, so they are dumped as they are, less any top-level key that the
    operation's output shape lacks (moto's serializer drops those; DeleteItem's result has one), and
    through the serializer for anything that is not plain JSON."""
    from botocore.session import get_session

    model = get_session().get_service_model("dynamodb")
    members = {action: frozenset(model.operation_model(action).output_shape.members) for action in _DATA_PLANE}

    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        action = self._get_action()
        if action in _DATA_PLANE and isinstance(result, dict):
            shape = members[action]
            if not shape.issuperset(result):
                result = {key: value for key, value in result.items() if key in shape}
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
    """moto's Query, even on the base table's own partition key, walks and sorts every item of the table
    (Table.all_items). A base-table Query here reads only its partition; an index Query skips the sort of
    the whole table (Query sorts its own results afterwards). Safe because requests are serialized."""

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
    """moto 5.2.5's transact_write_items (Apache-2.0), with rollback from per-item snapshots instead of a
    deep copy of every table the transaction touches."""
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
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
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

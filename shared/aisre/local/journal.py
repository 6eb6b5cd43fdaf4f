"""The DynamoDB journal: every write the emulator acknowledges, kept in the data directory, put back at start.

What is kept is the after-image of each write: the items a successful (2xx) PutItem, UpdateItem, DeleteItem,
BatchWriteItem or TransactWriteItems left, read from moto's table right after it applied them (an interceptor,
local/intercept.py, under the lock that serves DynamoDB one request at a time), or the keys it deleted. Not the
requests themselves: replaying an UpdateItem's `ADD alert_count 1` twice counts twice, while putting the same
after-image twice is harmless. So replay needs no care about what was already applied, and compaction is
"the last image of each key".

Files, per table, in <data dir>/dynamodb/<region>/:
- `<table>.snapshot.jsonl`: a header line ({"format", "table", "ttl_attribute", "written_at"}), then one item per
  line in DynamoDB's JSON;
- `<table>.journal.jsonl`: one line per acknowledged request, {"put": [item, ...], "delete": [key, ...]}, or
  {"ttl_attribute": name} when the table's TTL setting changes. A transaction is one line, so it comes back
  whole or not at all.

When the table is created (provisioning from template.yaml, every start and every restart of the emulator), the
snapshot and then the journal are read, items whose TTL has passed are dropped (DynamoDB would have deleted
them), the rest is put into moto's new table, and a new snapshot replaces both files (compaction), so that a
start reads each item once however long the last run was. A crash at any point of that leaves either the old
files or the new snapshot with the old journal, which replays to the same items.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aisre.local.datafiles import AppendLog, Syncer, read_json_lines, set_aside, write_atomically
from aisre.local.intercept import Answer, Call, Proceed, dynamodb_error

FORMAT = 1
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
# PartiQL statements can write, and which keys they touch is not in the request: after one, the tables are
# written out whole. The platform sends none; this keeps anyone else's from being lost.
PARTIQL = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
DEFAULT_REGION = "us-east-1"

Key = tuple[tuple[str, Any], ...]


def _say(message: str) -> None:
    print(f"aisre emulator: {message}", file=sys.stderr, flush=True)


@dataclass
class _Changes:
    put: list[dict[str, Any]] = field(default_factory=list)
    delete: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class KeptItems:
    """A table's items as its files keep them: the snapshot with the journal applied, expired items dropped."""

    items: dict[Key, dict[str, Any]]
    ttl_attribute: str | None
    snapshot_items: int
    journal_entries: int
    expired: int
    problems: list[tuple[Path, str]]


def read_kept_items(snapshot_path: Path, journal_path: Path, key_attributes: tuple[str, ...], now: float) -> KeptItems:
    snapshot, snapshot_problem = read_json_lines(snapshot_path)
    journal, journal_problem = read_json_lines(journal_path)
    header = snapshot[0] if snapshot and isinstance(snapshot[0], dict) and "format" in snapshot[0] else {}
    ttl_attribute: str | None = header.get("ttl_attribute")
    items: dict[Key, dict[str, Any]] = {}
    for item in snapshot[1:] if header else snapshot:
        items[_key_of(item, key_attributes)] = item
    snapshot_items = len(items)
    for entry in journal:
        if "ttl_attribute" in entry:
            ttl_attribute = entry["ttl_attribute"]
            continue
        for item in entry.get("put", ()):
            items[_key_of(item, key_attributes)] = item
        for deleted in entry.get("delete", ()):
            items.pop(_key_of(deleted, key_attributes), None)
    expired = _drop_expired(items, ttl_attribute, now)
    problems = [
        (path, problem)
        for path, problem in ((snapshot_path, snapshot_problem), (journal_path, journal_problem))
        if problem
    ]
    return KeptItems(items, ttl_attribute, snapshot_items, len(journal), expired, problems)


@dataclass(frozen=True)
class Restored:
    """What a table's start read back: for the log line and the tests."""

    table: str
    items: int
    snapshot_items: int
    journal_entries: int
    expired: int
    seconds: float


class DynamoDBJournal:
    """The interceptor: records acknowledged writes, restores and compacts a table when it is created."""

    def __init__(self, directory: Path, syncer: Syncer, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self._syncer = syncer
        self._clock = clock
        self._logs: dict[tuple[str, str], AppendLog] = {}
        self._ttl_attributes: dict[tuple[str, str], str | None] = {}
        self._tables: dict[tuple[str, str], Any] = {}
        self.restored: list[Restored] = []

    def __call__(self, call: Call, proceed: Proceed) -> Answer:
        answer = proceed()
        if not 200 <= answer.status < 300:
            return answer  # refused (a failed condition, a validation error): nothing changed, nothing to keep
        operation = call.operation
        if operation in WRITES:
            try:
                self._record(call)
            except OSError as error:
                # Applied in memory but not kept: the client must not take it as done (it will retry).
                _say(f"could not write the journal: {error}")
                return dynamodb_error(500, "InternalServerError", "the emulator could not write its journal")
        elif operation == "CreateTable":
            self.restore(*self._table_name(call.json()["TableName"], call.environ))
        elif operation == "DeleteTable":
            self._forget(*self._table_name(call.json()["TableName"], call.environ))
        elif operation == "UpdateTimeToLive":
            self._record_ttl(call)
        elif operation in PARTIQL:
            self.checkpoint_all()
        return answer

    def close(self) -> None:
        """Sync and close every journal (the emulator is exiting)."""
        for log in self._logs.values():
            self._syncer.unregister(log)
            log.close()
        self._logs.clear()

    # --- recording ----------------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        request = call.json()
        changes: dict[tuple[str, str], _Changes] = {}

        def at(table_name: str) -> tuple[tuple[str, str], _Changes]:
            key = self._table_name(table_name, call.environ)
            return key, changes.setdefault(key, _Changes())

        def updated(table_name: str, item_key: dict[str, Any]) -> None:
            # An update's result depends on the item before it: read what moto made of it.
            key, record = at(table_name)
            after = after_image(self._table(*key), item_key)
            if after is None:
                record.delete.append(item_key)
            else:
                record.put.append(after)

        operation = call.operation
        if operation == "PutItem":
            at(request["TableName"])[1].put.append(request["Item"])
        elif operation == "UpdateItem":
            updated(request["TableName"], request["Key"])
        elif operation == "DeleteItem":
            at(request["TableName"])[1].delete.append(request["Key"])
        elif operation == "BatchWriteItem":
            for table_name, requests in request["RequestItems"].items():
                record = at(table_name)[1]
                for each in requests:
                    if "PutRequest" in each:
                        record.put.append(each["PutRequest"]["Item"])
                    else:
                        record.delete.append(each["DeleteRequest"]["Key"])
        else:  # TransactWriteItems
            for each in request["TransactItems"]:
                kind, part = next(iter(each.items()))
                if kind == "Put":
                    at(part["TableName"])[1].put.append(part["Item"])
                elif kind == "Update":
                    updated(part["TableName"], part["Key"])
                elif kind == "Delete":
                    at(part["TableName"])[1].delete.append(part["Key"])
                # ConditionCheck writes nothing
        for key, record in changes.items():
            line = {"put": record.put, "delete": record.delete}
            self._log(key).append(json.dumps(line, separators=(",", ":")).encode())

    def _record_ttl(self, call: Call) -> None:
        request = call.json()
        key = self._table_name(request["TableName"], call.environ)
        specification = request.get("TimeToLiveSpecification") or {}
        name = specification.get("AttributeName") if specification.get("Enabled") else None
        self._ttl_attributes[key] = name
        self._log(key).append(json.dumps({"ttl_attribute": name}).encode())

    def _log(self, key: tuple[str, str]) -> AppendLog:
        log = self._logs.get(key)
        if log is None:
            # A table written to before this process restored it (it existed before the journal was
            # installed, as in tests that create tables by hand): journal from here on, on top of what is kept.
            self._paths(key)[0].parent.mkdir(parents=True, exist_ok=True)
            log = self._logs[key] = AppendLog(self._paths(key)[1])
            self._syncer.register(log)
        return log

    # --- restoring and compacting -------------------------------------------------------------------

    def restore(self, region: str, name: str) -> Restored:
        """Put the kept items of table `name` into moto's (new, empty) table, then compact its files."""
        started = time.perf_counter()
        key = (region, name)
        self._tables.pop(key, None)
        table = self._table(region, name)
        snapshot_path, journal_path = self._paths(key)
        snapshot_path.parent.mkdir(parents=True, exist_ok=True)
        self._close_log(key)
        try:
            kept = read_kept_items(snapshot_path, journal_path, key_attributes(table), self._clock())
            load_items(table, kept.items.values())
        except Exception as error:
            # Files this moto cannot take (the template changed the table's keys, say): keep them aside for
            # whoever wants them back, and serve an empty table rather than none.
            for path in (snapshot_path, journal_path):
                if path.exists():
                    _say(f"table {name}: cannot restore ({error!r}); {path.name} kept as {set_aside(path).name}")
            for item in list(_all_items(table)):
                table.delete_item(item.hash_key, item.range_key)
            kept = KeptItems({}, None, 0, 0, 0, [])
        for path, problem in kept.problems:
            _say(f"table {name}: {problem}: kept as {set_aside(path).name}; what came before it is restored")
        self._ttl_attributes[key] = kept.ttl_attribute
        self._write_snapshot(key, iter(kept.items.values()))
        log = self._logs[key] = AppendLog(journal_path, truncate=True)
        self._syncer.register(log)
        restored = Restored(
            name,
            len(kept.items),
            kept.snapshot_items,
            kept.journal_entries,
            kept.expired,
            round(time.perf_counter() - started, 3),
        )
        self.restored.append(restored)
        if kept.snapshot_items or kept.journal_entries:
            _say(
                f"table {name}: {restored.items} items restored from {snapshot_path.parent} "
                f"({restored.snapshot_items} in the snapshot, {restored.journal_entries} journal entries, "
                f"{restored.expired} past their TTL dropped) in {restored.seconds:.2f} s"
            )
        return restored

    def _close_log(self, key: tuple[str, str]) -> None:
        log = self._logs.pop(key, None)
        if log is not None:
            self._syncer.unregister(log)
            log.close()

    def checkpoint_all(self) -> None:
        """Write every table out whole from moto's state, and start its journal afresh."""
        for key, log in list(self._logs.items()):
            table = self._table(*key)
            self._write_snapshot(key, (item.to_json()["Attributes"] for item in _all_items(table)))
            self._syncer.unregister(log)
            log.close()
            self._logs[key] = AppendLog(log.path, truncate=True)
            self._syncer.register(self._logs[key])

    def _forget(self, region: str, name: str) -> None:
        """The table was deleted: so are its kept items (a table created again under its name starts empty)."""
        key = (region, name)
        self._close_log(key)
        self._tables.pop(key, None)
        for path in self._paths(key):
            path.unlink(missing_ok=True)

    def _write_snapshot(self, key: tuple[str, str], items: Iterator[dict[str, Any]]) -> None:
        header = {
            "format": FORMAT,
            "table": key[1],
            "ttl_attribute": self._ttl_attributes.get(key),
            "written_at": self._clock(),
        }

        def lines() -> Iterator[bytes]:
            yield json.dumps(header).encode()
            for item in items:
                yield json.dumps(item, separators=(",", ":")).encode()

        write_atomically(self._paths(key)[0], lines())

    # --- moto's side --------------------------------------------------------------------------------

    def _paths(self, key: tuple[str, str]) -> tuple[Path, Path]:
        region, name = key
        folder = self.directory / region
        return folder / f"{name}.snapshot.jsonl", folder / f"{name}.journal.jsonl"

    @staticmethod
    def _table_name(table_name: str, environ: dict[str, Any]) -> tuple[str, str]:
        """(region, name) of a request's TableName, which may be a table ARN."""
        if table_name.startswith("arn:"):
            parts = table_name.split(":", 5)
            return parts[3], parts[5].split("/", 1)[1]
        return request_region(environ), table_name

    def _table(self, region: str, name: str) -> Any:
        """moto's Table object (cached: looked up across moto's backends once per table it creates)."""
        table = self._tables.get((region, name))
        if table is None:
            from moto.dynamodb.models import dynamodb_backends

            backend: Any
            for _account, backend_region, backend in list(dynamodb_backends.iter_backends()):
                if backend_region == region and name in backend.tables:
                    table = self._tables[(region, name)] = backend.tables[name]
                    break
            else:
                raise LookupError(f"no table {name} in {region}")
        return table


def request_region(environ: dict[str, Any]) -> str:
    # SigV4's scope names it ("Credential=AKID/20240605/us-east-1/dynamodb/aws4_request"); the platform's own
    # requests go unsigned locally, and moto then serves them in its default region, as here.
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 5:
            return scope[2]
    return DEFAULT_REGION


def key_attributes(table: Any) -> tuple[str, ...]:
    return (table.hash_key_attr,) if table.range_key_attr is None else (table.hash_key_attr, table.range_key_attr)


def _key_of(item: dict[str, Any], attributes: tuple[str, ...]) -> Key:
    return tuple(next(iter(item[name].items())) for name in attributes)


def after_image(table: Any, key: dict[str, Any]) -> dict[str, Any] | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    attributes = key_attributes(table)
    hash_key = DynamoType(key[attributes[0]])
    range_key = DynamoType(key[attributes[1]]) if len(attributes) > 1 else None
    item = table.get_item(hash_key, range_key)
    if item is None:
        return None
    attributes_json: dict[str, Any] = item.to_json()["Attributes"]
    return attributes_json


def load_items(table: Any, items: Iterable[dict[str, Any]]) -> None:
    """Put items that moto accepted once already into its (new, empty) `table`.

    moto's put_item checks every attribute's type, the key sizes, the item's size and the (absent) condition,
    about 0.1 ms an item: seconds for a table of incidents. These items passed all of that when they were
    written, so they are built as moto builds them (its Item, its DynamoType values) and set in the table's
    dict. Only on a table nobody observes: moto reports each write to a table's stream shard, and whatever
    stands there (a stream, or an index of the table kept current by the reports) must hear of these too,
    so such a table gets moto's put_item."""
    if table.stream_shard is not None:
        for attributes in items:
            table.put_item(attributes)
        return
    from moto.dynamodb.models.dynamo_type import Item, LimitedSizeDict

    hash_attribute, range_attribute = table.hash_key_attr, table.range_key_attr
    rows = table.items
    for attributes in items:
        item: Any = Item.__new__(Item)
        item.hash_key = _dynamo(attributes[hash_attribute])
        item.range_key = _dynamo(attributes[range_attribute]) if range_attribute is not None else None
        item.attrs = LimitedSizeDict()
        dict.update(item.attrs, {name: _dynamo(value) for name, value in attributes.items()})
        if range_attribute is None:
            rows[item.hash_key] = item
        else:
            rows[item.hash_key][item.range_key] = item


def _dynamo(value: dict[str, Any]) -> Any:
    """moto's DynamoType of a value in DynamoDB's JSON ({"S": "x"}, {"M": {...}}), as its __init__ makes it
    (a type and a value; lists and maps of DynamoTypes), without its generic conversions."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    for kind, inner in value.items():
        node = DynamoType.__new__(DynamoType)
        node.type = kind
        if kind == "L":
            node.value = [_dynamo(element) for element in inner]
        elif kind == "M":
            node.value = {name: _dynamo(element) for name, element in inner.items()}
        else:
            node.value = inner
        return node
    raise ValueError("an attribute value with no type")


def _all_items(table: Any) -> Iterator[Any]:
    for value in list(table.items.values()):
        if table.range_key_attr is None:
            yield value
        else:
            yield from list(value.values())


def _drop_expired(items: dict[Key, dict[str, Any]], ttl_attribute: str | None, now: float) -> int:
    if not ttl_attribute:
        return 0
    expired = [
        key
        for key, item in items.items()
        if "N" in item.get(ttl_attribute, {}) and _number(item[ttl_attribute]["N"]) < now
    ]
    for key in expired:
        del items[key]
    return len(expired)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")  # not a time: DynamoDB's TTL ignores it, and so does this

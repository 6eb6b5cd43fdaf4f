"""DynamoDB Streams, emulated in the emulator child: each acknowledged write of a table whose template has a
StreamSpecification becomes a stream record in a bounded in-memory ring, read at `/_aisre/streams/<table>`.

moto keeps no stream here: a table with one would lose the index book (local/index_book.py stands where moto's
stream shard would), and moto's shard copies every item of every write. This interceptor (local/intercept.py,
under the DynamoDB lock) does less: provisioning tells it each stream's view type and the union of its consumers'
FilterCriteria (local/stream_filters.py), and a write's items are tested on their keys first, from the request;
only an item that may pass is looked up (did it exist: INSERT or MODIFY) and imaged (a Put's item as sent, an
Update's read back from moto's table), so an alert storm's duplicates, timeline events and claims cost a key test.
Lambda applies the same filters again to what it reads (local/stream_pollers.py), as the event source mapping does.

Records carry what Lambda hands a function (eventName, dynamodb.Keys, NewImage for NEW_IMAGE and
NEW_AND_OLD_IMAGES, SequenceNumber, ApproximateCreationDateTime), sequence numbers counting from 1 per table for
this process (`epoch` names the process: a new emulator starts again from 1). The ring keeps the last
`capacity` records; older ones are dropped and counted, as a stream's 24-hour retention drops them.
"""

from __future__ import annotations

import collections
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from aisre.local.intercept import Answer, Call, Proceed
from aisre.local.journal import DEFAULT_REGION, WRITES, after_image, key_attributes, request_region
from aisre.local.stream_filters import Pattern, key_patterns, passes

DEFAULT_CAPACITY = 10_000
_IMAGES = frozenset({"NEW_IMAGE", "NEW_AND_OLD_IMAGES"})


@dataclass
class _Stream:
    table: str
    view_type: str
    filters: list[Pattern] | None
    capacity: int
    key_filters: list[Pattern] | None = None
    records: collections.deque[dict[str, Any]] = field(default_factory=collections.deque)
    last: int = 0  # the last sequence number given
    dropped: int = 0
    moto_table: Any = None

    def __post_init__(self) -> None:
        self.key_filters = key_patterns(self.filters)
        self.records = collections.deque(maxlen=self.capacity)

    def keys_may_pass(self, keys: dict[str, Any]) -> bool:
        if self.key_filters is None:
            return True
        probe = {"dynamodb": {"Keys": keys}}
        return any(passes([_without_event_name(pattern)], probe) for pattern in self.key_filters)

    def append(self, record: dict[str, Any]) -> None:
        if len(self.records) == self.capacity:
            self.dropped += 1
        self.records.append(record)


def _without_event_name(pattern: Pattern) -> Pattern:
    return {name: value for name, value in pattern.items() if name != "eventName"}


@dataclass
class _Candidate:
    stream: _Stream
    kind: str  # put | update | delete
    keys: dict[str, Any]
    item: dict[str, Any] | None
    existed: bool


class StreamRecorder:
    """The interceptor, and the ring's reader for the admin endpoint."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, clock: Callable[[], float] = time.time) -> None:
        self.capacity = capacity
        self.epoch = secrets.token_hex(6)
        self._clock = clock
        self._streams: dict[tuple[str, str], _Stream] = {}
        self._changed = threading.Condition()

    # --- configuration (provisioning, through the admin endpoint) ----------------------------------------------

    def configure(self, region: str, table: str, view_type: str, filters: Sequence[Pattern] | None) -> None:
        """Record `table`'s writes from now on (again: a new view type and filters, the records kept)."""
        with self._changed:
            stream = self._streams.get((region, table))
            fresh = _Stream(table, view_type, list(filters) if filters is not None else None, self.capacity)
            if stream is not None:
                fresh.records, fresh.last, fresh.dropped = stream.records, stream.last, stream.dropped
            self._streams[(region, table)] = fresh

    # --- the interceptor ---------------------------------------------------------------------------------------

    def __call__(self, call: Call, proceed: Proceed) -> Answer:
        if call.operation in ("CreateTable", "DeleteTable"):
            self.forget_tables()
        if not self._streams or call.operation not in WRITES:
            return proceed()
        region = request_region(call.environ)
        candidates = self._candidates(region, call)
        answer = proceed()
        if candidates and 200 <= answer.status < 300:
            self._record(candidates)
        return answer

    def _candidates(self, region: str, call: Call) -> list[_Candidate]:
        request = call.json()
        found: list[_Candidate] = []

        def consider(table_name: str, kind: str, keys: dict[str, Any] | None, item: dict[str, Any] | None) -> None:
            stream = self._streams.get((region, table_name))
            if stream is None:
                return
            table = self._moto_table(stream, region)
            if table is None:
                return
            if keys is None:  # a Put: its key is in the item
                keys = {name: item[name] for name in key_attributes(table) if item is not None and name in item}
            if not stream.keys_may_pass(keys):
                return
            found.append(_Candidate(stream, kind, keys, item, _exists(table, keys)))

        operation = call.operation
        if operation == "PutItem":
            consider(request["TableName"], "put", None, request["Item"])
        elif operation == "UpdateItem":
            consider(request["TableName"], "update", request["Key"], None)
        elif operation == "DeleteItem":
            consider(request["TableName"], "delete", request["Key"], None)
        elif operation == "BatchWriteItem":
            for table_name, requests in request["RequestItems"].items():
                for each in requests:
                    if "PutRequest" in each:
                        consider(table_name, "put", None, each["PutRequest"]["Item"])
                    else:
                        consider(table_name, "delete", each["DeleteRequest"]["Key"], None)
        else:  # TransactWriteItems
            for each in request["TransactItems"]:
                kind, part = next(iter(each.items()))
                if kind == "Put":
                    consider(part["TableName"], "put", None, part["Item"])
                elif kind == "Update":
                    consider(part["TableName"], "update", part["Key"], None)
                elif kind == "Delete":
                    consider(part["TableName"], "delete", part["Key"], None)
        return found

    def _record(self, candidates: list[_Candidate]) -> None:
        now = round(self._clock(), 3)
        with self._changed:
            for candidate in candidates:
                stream = candidate.stream
                image: dict[str, Any] | None = None
                if candidate.kind == "delete":
                    if not candidate.existed:
                        continue  # deleting nothing changes nothing: DynamoDB streams no record
                    name = "REMOVE"
                else:
                    name = "MODIFY" if candidate.existed else "INSERT"
                    image = (
                        candidate.item if candidate.kind == "put" else after_image(stream.moto_table, candidate.keys)
                    )
                    if image is None:
                        continue
                dynamodb: dict[str, Any] = {
                    "ApproximateCreationDateTime": now,
                    "Keys": candidate.keys,
                    "SequenceNumber": str(stream.last + 1).zfill(21),
                    "StreamViewType": stream.view_type,
                }
                if image is not None and stream.view_type in _IMAGES:
                    dynamodb["NewImage"] = image
                record = {"eventID": f"{self.epoch}-{stream.last + 1}", "eventName": name, "eventVersion": "1.1",
                          "eventSource": "aws:dynamodb", "dynamodb": dynamodb}  # fmt: skip
                if stream.filters is not None and not passes(stream.filters, record):
                    continue
                stream.last += 1
                stream.append(record)
            self._changed.notify_all()

    def _moto_table(self, stream: _Stream, region: str) -> Any:
        if stream.moto_table is None:
            from moto.dynamodb.models import dynamodb_backends

            backend: Any
            for _account, backend_region, backend in list(dynamodb_backends.iter_backends()):
                if backend_region == region and stream.table in backend.tables:
                    stream.moto_table = backend.tables[stream.table]
                    break
        return stream.moto_table

    def forget_tables(self) -> None:
        """A table was created or deleted: look moto's tables up again (the streams' records are kept)."""
        for stream in self._streams.values():
            stream.moto_table = None

    # --- the reader --------------------------------------------------------------------------------------------

    def read(self, region: str, table: str, after: int | None, limit: int, wait: float) -> dict[str, Any] | None:
        """Records after sequence number `after` (at most `limit`), waiting up to `wait` s for one; with `after`
        None, none: only where the stream is (`latest`), for a reader that starts at LATEST. None: no such stream."""
        deadline = time.monotonic() + wait
        with self._changed:
            stream = self._streams.get((region, table))
            if stream is None:
                return None
            if after is not None:
                while stream.last <= after and (left := deadline - time.monotonic()) > 0:
                    self._changed.wait(left)
                    stream = self._streams.get((region, table)) or stream
            first = stream.last - len(stream.records) + 1  # the oldest sequence number still in the ring
            records: list[dict[str, Any]] = []
            if after is not None and stream.last > after:
                start = max(after + 1, first) - first
                records = list(islice(stream.records, start, start + limit))
            return {
                "epoch": self.epoch,
                "latest": stream.last,
                "first": first,
                "dropped": stream.dropped,
                "missed": max(0, first - (after + 1)) if after is not None else 0,
                "records": records,
            }

    def figures(self) -> dict[str, Any]:
        with self._changed:
            return {
                "streams": {
                    f"{region}/{table}": {"latest": s.last, "kept": len(s.records), "dropped": s.dropped}
                    for (region, table), s in self._streams.items()
                }
            }


STREAMS_PATH = "streams/"


def serve_admin(recorder: StreamRecorder, path: str, environ: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """`/_aisre/streams/<table>`: PUT {"view_type", "filters"} records the table's writes; GET ?after=&limit=&wait=
    reads them (`region` defaults to the platform's)."""
    table = path.removeprefix(STREAMS_PATH)
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    region = query.get("region", [DEFAULT_REGION])[0]
    method = environ.get("REQUEST_METHOD", "GET")
    if not table or "/" in table:
        return 404, {"error": "name a table: /_aisre/streams/<table>"}
    if method == "PUT":
        length = environ.get("CONTENT_LENGTH") or ""
        raw = environ["wsgi.input"].read(int(length)) if length.isdigit() else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"error": 'the body must be JSON: {"view_type", "filters"}'}
        recorder.configure(region, table, str(body.get("view_type") or "NEW_IMAGE"), body.get("filters"))
        return 200, {"table": table, "configured": True}
    if method != "GET":
        return 405, {"error": "GET or PUT"}
    try:
        after = int(query["after"][0]) if "after" in query else None
        limit = max(1, min(int(query.get("limit", ["100"])[0]), 10_000))
        wait = max(0.0, min(float(query.get("wait", ["0"])[0]), 20.0))
    except ValueError:
        return 400, {"error": "after and limit are integers, wait a number of seconds"}
    answer = recorder.read(region, table, after, limit, wait)
    if answer is None:
        return 404, {"error": f"no stream on table {table} (is it configured?)"}
    return 200, answer


def _exists(table: Any, keys: dict[str, Any]) -> bool:
    from moto.dynamodb.models.dynamo_type import DynamoType

    attributes = key_attributes(table)
    if any(name not in keys for name in attributes):
        return False
    hash_key = DynamoType(keys[attributes[0]])
    range_key = DynamoType(keys[attributes[1]]) if len(attributes) > 1 else None
    return table.get_item(hash_key, range_key) is not None

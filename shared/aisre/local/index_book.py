"""A Query on a global secondary index reads only the items it can answer with, not the whole table.

moto answers a Query on an index by walking every item of the table for those in the partition, sorting
them, then walking the partition again from the start key (Table.query): O(table) per request, so that
listing incidents took seconds once the table held 10,000 of them, and paging through them O(table²).

Here each table keeps a book of its global indexes: per index and partition, the items' sort positions in
order (the order moto sorts them in). A Query is then answered by moto's own Table.query over just the
slice of the partition its answer can come from: past the start key, inside the range condition, `Limit`
items and the one after them (moto looks at that one to decide LastEvaluatedKey). moto still does the
matching, the limits, projection and filtering, so its answer is unchanged: tests/integration/
test_index_book.py sends the same requests with and without the book.

The book stays current without patching every write path: each write moto makes to a table (PutItem,
UpdateItem in place, DeleteItem, batches, transactions and their rollbacks) ends with
`table.stream_shard.add(old, new)` when the table has a stream shard. On a table without a stream the
book takes that place, as an observer moto tells of every change. A table with a real stream, an index
with several key attributes, or key values that are neither strings nor numbers are not booked: moto's own
query answers them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

# A position in an index partition: the cast values of the attributes moto sorts the partition by.
Position = tuple[str | Decimal, ...]

_MAX_ITEM_SIZE = 405000  # moto's item size limit (moto_patches._ITEM_SIZE_LIMIT)
_RESULT_SIZE_LIMIT = 1000000  # moto's RESULT_SIZE_LIMIT: a Query page stops before 1 MB of items
_BOOKED_TYPES = frozenset({"S", "N"})
_MAX_CODE_POINT = chr(0x10FFFF)


class _Partition:
    """One partition of one index: positions in order, and the item at each."""

    __slots__ = ("items", "positions")

    def __init__(self) -> None:
        self.positions: list[Position] = []
        self.items: dict[Position, Any] = {}


class _IndexBook:
    """The partitions of one global index, kept in the order moto's Table.query sorts them in."""

    def __init__(self, hash_attribute: str, sort_attributes: list[str], range_attribute: str | None):
        self.hash_attribute = hash_attribute
        self.sort_attributes = sort_attributes
        self.range_attribute = range_attribute
        self.partitions: dict[Any, _Partition] = {}

    def entry(self, item: Any) -> tuple[Any, Position] | None:
        """Where `item` sits in this index, or None when the index does not hold it (as moto decides: the
        hash attribute present, and the range attribute when the index has one)."""
        hash_value = item.attrs.get(self.hash_attribute)
        if hash_value is None or (self.range_attribute is not None and self.range_attribute not in item.attrs):
            return None
        position = []
        for name in self.sort_attributes:
            value = item.attrs.get(name)
            if value is None or value.type not in _BOOKED_TYPES:
                raise _Unbookable(name)
            position.append(value.cast_value)
        return hash_value, tuple(position)

    def move(self, old: Any, new: Any) -> None:
        before = self.entry(old) if old is not None else None
        after = self.entry(new) if new is not None else None
        if before is not None and before != after:
            self._remove(*before)
        if after is not None:
            self._put(after[0], after[1], new)

    def load(self, items: list[Any]) -> None:
        """Book every item at once (sorted once, rather than inserted one by one)."""
        for item in items:
            found = self.entry(item)
            if found is not None:
                partition = self.partitions.setdefault(found[0], _Partition())
                partition.items[found[1]] = item
        for partition in self.partitions.values():
            partition.positions = sorted(partition.items)

    def _put(self, hash_value: Any, position: Position, item: Any) -> None:
        partition = self.partitions.setdefault(hash_value, _Partition())
        if position not in partition.items:
            bisect.insort(partition.positions, position)
        partition.items[position] = item

    def _remove(self, hash_value: Any, position: Position) -> None:
        partition = self.partitions.get(hash_value)
        if partition is None or partition.items.pop(position, None) is None:
            return
        at = bisect.bisect_left(partition.positions, position)
        del partition.positions[at]
        if not partition.positions:
            del self.partitions[hash_value]


class _Unbookable(Exception):
    """A key value the book cannot order as moto would (not a string or a number)."""


class _TableBook:
    """Every bookable global index of one table, fed by moto with each change."""

    def __init__(self, table: Any) -> None:
        self.items = table.items  # the dict this book describes: one put in its place means a new book
        self.index_objects = list(table.global_indexes or [])  # an index added or re-created: a new book
        self.indexes: dict[str, _IndexBook] = {}
        every_item = _every_item(table)
        for index in table.global_indexes or []:
            book = _index_book(table, index)
            if book is None:
                continue
            try:
                book.load(every_item)
            except (_Unbookable, TypeError):
                continue  # moto's own query answers this index
            self.indexes[index.name] = book

    def changed(self, old: Any, new: Any) -> None:
        for name, book in list(self.indexes.items()):
            try:
                book.move(old, new)
            except (_Unbookable, TypeError):
                del self.indexes[name]  # from now on moto's own query answers this index


class _ChangeObserver:
    """Stands where moto keeps a table's stream shard, so that moto reports every write to the book.

    Falsy, as the absent shard it replaces: moto's write paths test `is not None` (and so report), while the
    one place that tests truth (DynamoDB Streams' DescribeStream) still sees a table without a stream."""

    def __init__(self, book: _TableBook) -> None:
        self.book = book

    def add(self, old: Any, new: Any) -> None:
        self.book.changed(old, new)

    def __bool__(self) -> bool:
        return False


def book_of(table: Any) -> _TableBook | None:
    """The table's book, made (and hooked to the table's writes) on first use; None for a table with a
    real stream, whose shard moto needs."""
    shard = table.stream_shard
    if isinstance(shard, _ChangeObserver):
        book = shard.book
        current = list(table.global_indexes or [])
        same_indexes = len(current) == len(book.index_objects) and all(
            index is booked for index, booked in zip(current, book.index_objects, strict=True)
        )
        if book.items is table.items and same_indexes:
            return book
    elif shard is not None:
        return None
    book = _TableBook(table)
    table.stream_shard = _ChangeObserver(book)
    return book


def indexed_query(original: Callable[..., Any]) -> Callable[..., Any]:
    """Table.query, answering an index Query from the book's slice of the partition when it can."""

    def query(
        self: Any,
        hash_key: Any,
        range_comparison: str | None,
        range_objs: list[Any],
        limit: int | None,
        exclusive_start_key: dict[str, Any] | None,
        scan_index_forward: bool,
        projection_expressions: Any,
        index_name: str | None = None,
        consistent_read: bool = False,
        filter_expression: Any = None,
        hash_key_conditions: list[tuple[str, Any]] | None = None,
        range_key_conditions: list[tuple[str, str, list[Any]]] | None = None,
        **filter_kwargs: Any,
    ) -> Any:
        def answer() -> Any:
            return original(
                self,
                hash_key,
                range_comparison,
                range_objs,
                limit,
                exclusive_start_key,
                scan_index_forward,
                projection_expressions,
                index_name,
                consistent_read,
                filter_expression,
                hash_key_conditions=hash_key_conditions,
                range_key_conditions=range_key_conditions,
                **filter_kwargs,
            )

        if not index_name or filter_kwargs or consistent_read:
            return answer()  # the base table, legacy QueryFilter, or an error moto itself raises
        window = _window(
            self,
            index_name,
            hash_key_conditions or [],
            range_key_conditions or [],
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
        )
        if window is None:
            return answer()
        # moto's query reads the table through all_items(): for this call, only the window. Another patch
        # (moto_patches._scoped_query) may have set it on the instance already; it is put back as found.
        state = self.__dict__
        had, previous = "all_items" in state, state.get("all_items")
        self.all_items = lambda: window
        try:
            return answer()
        finally:
            if had:
                self.all_items = previous
            else:
                del self.all_items

    return query


def _window(
    table: Any,
    index_name: str,
    hash_conditions: list[tuple[str, Any]],
    range_conditions: list[tuple[str, str, list[Any]]],
    range_comparison: str | None,
    range_objs: list[Any],
    limit: int | None,
    start_key: dict[str, Any] | None,
    forward: bool,
) -> list[Any] | None:
    """The items moto's query must see to answer as it would over the whole table, or None when the book
    cannot tell (then moto's own query answers)."""
    table_book = book_of(table)
    book = table_book.indexes.get(index_name) if table_book is not None else None
    if book is None or len(hash_conditions) != 1 or hash_conditions[0][0] != book.hash_attribute:
        return None
    if len(range_conditions) > 1 or (range_conditions and range_conditions[0][0] != book.range_attribute):
        return None
    if (range_comparison is not None and book.range_attribute is None) or (limit is not None and limit < 1):
        return None  # errors: moto raises them
    hash_value = hash_conditions[0][1]
    partition = book.partitions.get(hash_value)
    if partition is None:
        return []
    positions = partition.positions
    try:
        span = _span(positions, range_comparison, [value.cast_value for value in range_objs])
        if span is None:
            return None
        low, high = span
        if start_key is not None:
            start = _start_position(book, hash_value, start_key)
            if start is None:
                return None
            if forward:
                low = max(low, bisect.bisect_right(positions, start))
            else:
                high = min(high, bisect.bisect_left(positions, start))
    except TypeError:
        return None  # values moto cannot compare either: its own query raises the error
    first, last = _slice(partition, low, max(low, high), limit, forward)
    window = positions[first:last]
    items = [partition.items[position] for position in window]
    if any(book.entry(item) != (hash_value, position) for item, position in zip(items, window, strict=True)):
        table.stream_shard = None  # an item changed without moto reporting it: rebook on the next query
        return None
    return items


def _span(positions: list[Position], comparison: str | None, values: list[Any]) -> tuple[int, int] | None:
    """[low, high) of the positions whose first value (the index's sort key) meets the range condition."""
    count = len(positions)
    if comparison is None:
        return 0, count

    def left(value: Any) -> int:
        return bisect.bisect_left(positions, value, key=lambda position: position[0])

    def right(value: Any) -> int:
        return bisect.bisect_right(positions, value, key=lambda position: position[0])

    match comparison.upper(), values:
        case (("=" | "EQ"), [value]):
            return left(value), right(value)
        case (("<" | "LT"), [value]):
            return 0, left(value)
        case (("<=" | "LE"), [value]):
            return 0, right(value)
        case ((">" | "GT"), [value]):
            return right(value), count
        case ((">=" | "GE"), [value]):
            return left(value), count
        case "BETWEEN", [lower, upper]:
            return left(lower), right(upper)
        case "BEGINS_WITH", [str() as prefix] if prefix:
            after = _after_every_extension(prefix)
            return left(prefix), (count if after is None else left(after))
    return None


def _after_every_extension(prefix: str) -> str | None:
    """The least string greater than every string beginning with `prefix` (None: there is none)."""
    stem = prefix.rstrip(_MAX_CODE_POINT)
    if not stem:
        return None
    return stem[:-1] + chr(ord(stem[-1]) + 1)


def _start_position(book: _IndexBook, hash_value: Any, start_key: dict[str, Any]) -> Position | None:
    """ExclusiveStartKey as a position in the partition, or None for a key moto would judge otherwise
    (another partition, a missing attribute, a value that is not a string or a number)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    raw_hash = start_key.get(book.hash_attribute)
    if raw_hash is None or DynamoType(raw_hash) != hash_value:
        return None
    position = []
    for name in book.sort_attributes:
        raw = start_key.get(name)
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in _BOOKED_TYPES:
            return None
        position.append(DynamoType(raw).cast_value)
    return tuple(position)


def _slice(partition: _Partition, low: int, high: int, limit: int | None, forward: bool) -> tuple[int, int]:
    """[first, last) of the positions moto's walk of the partition would act on, for a walk in order
    (`forward`) or in reverse over the matching span [low, high).

    moto walks from the start key: items before the span change nothing; it takes matching items up to
    `limit`, then looks at the next item (matching or not) to set LastEvaluatedKey. After the span it
    only stops early on its 1 MB page limit, which items of up to 400 KB can reach only once more than
    600 KB is taken: then the rest of the partition is handed over too."""
    positions = partition.positions
    count = len(positions)
    taken = high - low if limit is None else min(high - low, limit)
    full = limit is not None and taken == limit
    if forward:
        first, last = low, low + taken
        if full:
            return first, min(count, last + 1)
        if _taken_size(partition, first, last) > _RESULT_SIZE_LIMIT - _MAX_ITEM_SIZE:
            return first, count
        return first, last
    first, last = high - taken, high
    if full:
        return max(0, first - 1), last
    if _taken_size(partition, first, last) > _RESULT_SIZE_LIMIT - _MAX_ITEM_SIZE:
        return 0, last
    return first, last


def _taken_size(partition: _Partition, first: int, last: int) -> int:
    return sum(partition.items[position].size() for position in partition.positions[first:last])


def _index_book(table: Any, index: Any) -> _IndexBook | None:
    """An empty book of `index` with the sort order moto's Table.query gives its partitions, or None for
    an index the book does not handle (several key attributes, key types other than strings and numbers)."""
    schema = index.schema
    hash_keys = [key["AttributeName"] for key in schema if key["KeyType"] == "HASH"]
    range_keys = [key["AttributeName"] for key in schema if key["KeyType"] == "RANGE"]
    if len(hash_keys) != 1 or len(range_keys) > 1:
        return None
    declared = {definition["AttributeName"]: definition["AttributeType"] for definition in table.attr}
    if any(declared.get(name) not in _BOOKED_TYPES for name in hash_keys + range_keys):
        return None
    # As Table.query builds them: an index without a sort key is ordered by the table's sort key (or hash key).
    if range_keys:
        range_attributes = [range_keys[0], table.range_key_attr]
    else:
        range_attributes = [table.range_key_attr or table.hash_key_attr, table.range_key_attr]
    order = table._generate_attr_to_sort_by([hash_keys[0], table.hash_key_attr], range_attributes)
    if not order or order[0] != hash_keys[0]:
        return None
    return _IndexBook(hash_keys[0], order[1:], range_keys[0] if range_keys else None)


def _every_item(table: Any) -> list[Any]:
    if table.range_key_attr:
        return [item for partition in table.items.values() for item in partition.values()]
    return list(table.items.values())

"""Incident listings read by key: by state, all states, and noisy candidates, per workspace (gsi1) or across
every workspace (gsi2), each request reading a bounded number of items whatever the table holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aisre.core.paging import Page
from aisre.core.table.paging import decode_position_cursor, encode_position_cursor
from aisre.incidents.model.incident import Incident, IncidentState
from aisre.incidents.model.noisy import NoisyIncident
from aisre.incidents.store import keys
from aisre.incidents.store.batch import with_live_alert_counts
from aisre.incidents.store.mapping import record_to_incident, record_to_noisy
from aisre.incidents.store.records import IncidentRecord, NoisyEntryRecord

# After the timestamp in a listed sort key comes "#": "~" sorts after it, closing a range of timestamps.
_AFTER_EVERY_STAMP = "~"
# A filtered read of the one noisy group a max duration falls inside: items per request.
_FILTERED_PAGE_SIZE = 100
# The unfiltered listing reads the state whose recent incidents are usually the most first: the later
# reads then ask only for what is newer than its page, which is usually little (an install's incidents
# are mostly resolved). In an alert storm the open ones are newest, and the page reads up to 2 x limit.
# An incident changing state while a page is read can be missed by that page (read in its new partition
# before it arrived, in its old one after it left), as an index read can miss it anyway while DynamoDB
# propagates the move; it is never listed twice.
_MERGE_ORDER = [IncidentState.RESOLVED, IncidentState.OPEN, IncidentState.ACKNOWLEDGED]


@dataclass(frozen=True)
class _Scope:
    """One workspace's listings (gsi1), or every workspace's (gsi2) for a caller whose key sees them all."""

    workspace_id: str | None

    def incidents_partition(self, state: IncidentState) -> str:
        if self.workspace_id is None:
            return keys.all_incidents(state.value)
        return keys.workspace_incidents(self.workspace_id, state.value)

    def noisy_partition(self) -> str:
        return keys.ALL_NOISY if self.workspace_id is None else keys.workspace_noisy(self.workspace_id)

    def listing_name(self, state: IncidentState | None) -> str:
        """What a cursor is bound to: this scope and state filter."""
        where = "*" if self.workspace_id is None else self.workspace_id
        return f"incidents|{where}|{state.value if state else '*'}"

    def index(self, record: Any) -> Any:
        return record.across_workspaces if self.workspace_id is None else record.by_workspace

    def sort_key(self, record: Any) -> Any:
        return record.gsi2sk if self.workspace_id is None else record.gsi1sk

    def listed(self, record: Any) -> str:
        listed: str = record.gsi2sk if self.workspace_id is None else record.gsi1sk
        return listed


def list_incidents(
    workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
) -> Page[Incident]:
    """Newest first. A state filter reads that state's partition; no filter reads the three states'
    partitions and merges them. The cursor is the last item's sort key (which never changes), so an
    incident that changes state between two pages is shown once, where it was."""
    scope = _Scope(workspace_id)
    name = scope.listing_name(state)
    after = decode_position_cursor(cursor, listing=name)
    sort_key = scope.sort_key(IncidentRecord)

    def reader(wanted: IncidentState) -> _Reader:
        def read(newer_than: str | None) -> tuple[list[Any], bool]:
            # Key bounds are inclusive only with BETWEEN: the bounds' own items are dropped by the merge.
            if newer_than and after:
                condition, extra = sort_key.between(newer_than, after), 2
            elif after:
                condition, extra = sort_key < after, 0
            elif newer_than:
                condition, extra = sort_key > newer_than, 0
            else:
                condition, extra = None, 0
            results = scope.index(IncidentRecord).query(
                scope.incidents_partition(wanted),
                condition,
                scan_index_forward=False,
                limit=limit + extra,
                page_size=limit + extra,
            )
            return list(results), results.last_evaluated_key is not None

        return read

    states = [state] if state else _MERGE_ORDER
    page, more = _newest([reader(wanted) for wanted in states], limit, scope.listed, exclude=after)
    next_cursor = encode_position_cursor(name, scope.listed(page[-1])) if more else None
    return Page(items=with_live_alert_counts([record_to_incident(record) for record in page]), cursor=next_cursor)


def noisy_incidents(
    workspace_id: str | None, since: datetime, max_duration_seconds: float, limit: int
) -> list[NoisyIncident]:
    """Noisy candidates resolved since `since` that lasted at most `max_duration_seconds`, newest first.

    Entries are grouped by duration (keys.NOISY_DURATION_GROUPS_MINUTES): the groups wholly within the
    maximum are read unfiltered; only the group the maximum falls inside is filtered on duration. After
    the first, each group is read only above the oldest entry kept so far."""
    scope = _Scope(workspace_id)
    index, sort_key = scope.index(NoisyEntryRecord), scope.sort_key(NoisyEntryRecord)
    oldest = f"{keys.stamp(since)}#"

    def reader(minutes: int, whole: bool) -> _Reader:
        prefix = keys.noisy_group_prefix(minutes)

        def read(newer_than: str | None) -> tuple[list[Any], bool]:
            lower = max(oldest, newer_than or "")
            results = index.query(
                scope.noisy_partition(),
                sort_key.between(f"{prefix}{lower}", f"{prefix}{_AFTER_EVERY_STAMP}"),
                scan_index_forward=False,
                filter_condition=None if whole else NoisyEntryRecord.duration_seconds <= max_duration_seconds,
                limit=limit,
                page_size=limit if whole else _FILTERED_PAGE_SIZE,
            )
            return list(results), results.last_evaluated_key is not None

        return read

    whole: list[int] = []
    partial: list[int] = []
    lower = 0.0
    for minutes in keys.NOISY_DURATION_GROUPS_MINUTES:
        if lower >= max_duration_seconds:
            break
        (whole if minutes * 60 <= max_duration_seconds else partial).append(minutes)
        lower = minutes * 60
    # The widest whole group first (it usually holds the most recent entries, so the later reads ask for
    # little), the filtered one last, when the page so far bounds what it must read.
    readers = [reader(minutes, whole=True) for minutes in reversed(whole)]
    readers += [reader(minutes, whole=False) for minutes in partial]

    def resolved(entry: Any) -> str:
        return str(scope.listed(entry)).split("#", 1)[1]  # past the group: "{resolved}#{id}"

    entries, _more = _newest(readers, limit, resolved)
    return [record_to_noisy(entry) for entry in entries]


# Reads one partition newest first, only items whose order key is above the bound given (when given):
# returns them and whether the partition may hold more below.
_Reader = Callable[[str | None], tuple[list[Any], bool]]


def _newest(
    readers: list[_Reader], limit: int, order: Callable[[Any], str], *, exclude: str | None = None
) -> tuple[list[Any], bool]:
    """The `limit` newest items over several partitions, and whether there may be more after them.

    Partitions are read in turn; once `limit` items are in hand, the next partition is asked only for items
    newer than the oldest of them, so a page reads about `limit` items, at most `limit` per partition."""
    found: dict[str, Any] = {}
    more = False
    cutoff: str | None = None
    for read in readers:
        items, partial = read(cutoff)
        more = more or partial or cutoff is not None  # a partition read above a cutoff may hold older items
        for item in items:
            key = order(item)
            if key != exclude and (cutoff is None or key > cutoff):
                found.setdefault(key, item)  # an item read twice (it moved between partitions) once
        newest = sorted(found, reverse=True)
        if len(newest) > limit:
            more = True
        if len(newest) >= limit:
            cutoff = newest[limit - 1]
            found = {key: found[key] for key in newest[:limit]}
    page = [found[key] for key in sorted(found, reverse=True)][:limit]
    return page, more and len(page) == limit

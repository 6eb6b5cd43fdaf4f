"""Reading a listing of one kind of item, newest first: a workspace's (gsi1), or every workspace's (gsi2)."""

from __future__ import annotations

from typing import TypeVar

from aisre.core.table.keys import ItemKeys
from aisre.core.table.records import ListedRecord

R = TypeVar("R", bound=ListedRecord)


def list_newest(record: type[R], workspace_id: str | None, keys: ItemKeys, limit: int) -> list[R]:
    """At most `limit` items, newest first: the workspace's, or every workspace's when `workspace_id` is None (a key
    that sees them all). `record` must have `by_workspace` (gsi1) and `across_workspaces` (gsi2) indexes."""
    if workspace_id is not None:
        index, partition = getattr(record, "by_workspace"), keys.in_workspace(workspace_id)  # noqa: B009
    else:
        index, partition = getattr(record, "across_workspaces"), keys.everywhere  # noqa: B009
    return list(index.query(partition, scan_index_forward=False, limit=limit, page_size=limit))

"""Reading an item by its id, in its workspace when known, else in whichever workspace holds it (gsi3), for
keys that see every workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aisre.core.errors import NotFoundError
from aisre.core.table import keys
from aisre.core.table.records import Record

R = TypeVar("R", bound=Record)


def workspace_of_id(index: Any, id_key: str, *, what: str, field: str) -> str:
    """The workspace of the item indexed under `id_key`; NotFoundError naming `what` when there is none."""
    for hit in index.query(id_key, limit=1):
        return keys.workspace_of(hit.pk)
    raise NotFoundError(f"{what} not found", field=field)


def get_by_id(
    record: type[R],
    workspace_id: str | None,
    *,
    id_key: str,
    key: Callable[[str], tuple[str, str]],
    what: str,
    field: str,
) -> R:
    """The item (strongly consistent), `key(workspace)` giving its (pk, sk); NotFoundError naming `what`.
    `record` must have a `by_id` index over gsi3 when `workspace_id` may be None."""
    if workspace_id is None:
        workspace_id = workspace_of_id(getattr(record, "by_id"), id_key, what=what, field=field)  # noqa: B009
    pk, sk = key(workspace_id)
    try:
        return record.get(pk, sk, consistent_read=True)
    except record.DoesNotExist as missing:
        raise NotFoundError(f"{what} not found", field=field) from missing


def get_item(
    record: type[R], workspace_id: str | None, item_keys: keys.ItemKeys, item_id: str, *, kind: str, field: str
) -> R:
    """get_by_id for an item whose keys `item_keys` builds (its own partition, sk META); NotFoundError naming the
    `kind` of item and its id."""
    return get_by_id(
        record,
        workspace_id,
        id_key=item_keys.by_id(item_id),
        key=lambda workspace: (item_keys.pk(workspace, item_id), keys.META),
        what=f"{kind} {item_id}",
        field=field,
    )

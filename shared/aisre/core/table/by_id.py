"""Finding which workspace holds an item when only its id is known (gsi3), for keys that see every workspace."""

from __future__ import annotations

from typing import Any

from aisre.core.errors import NotFoundError
from aisre.core.table import keys


def workspace_of_id(index: Any, id_key: str, *, what: str, field: str) -> str:
    """The workspace of the item indexed under `id_key`; NotFoundError naming `what` when there is none."""
    for hit in index.query(id_key, limit=1):
        return keys.workspace_of(hit.pk)
    raise NotFoundError(f"{what} not found", field=field)

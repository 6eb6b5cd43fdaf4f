"""Keys of the workflows' items (docs/data-model.md): every base-table key begins with the workspace."""

from __future__ import annotations

from aisre.core.table.keys import META, ItemKeys

__all__ = ["META", "RUNS", "WORKFLOWS"]

WORKFLOWS = ItemKeys("WF")
RUNS = ItemKeys("WFRUN")

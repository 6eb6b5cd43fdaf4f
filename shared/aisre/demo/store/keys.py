"""Keys of the demo's item (docs/data-model.md): one marker per workspace."""

from __future__ import annotations

MARKER_SK = "SEED"


def marker_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#DEMO"

"""Key building blocks of the single-table layout (docs/data-model.md): every base-table key begins with the
workspace. Each capability's store/keys.py builds its own keys from these."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def stamp(moment: datetime) -> str:
    """A sortable UTC timestamp for keys (fixed width, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unique_suffix() -> str:
    return secrets.token_hex(4)


def workspace_of(pk: str) -> str:
    """The workspace a base-table key belongs to (keys are `WS#{workspace}#...`)."""
    return pk.split("#", 2)[1]

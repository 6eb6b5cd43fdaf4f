"""Key building blocks of the single-table layout (docs/data-model.md): every base-table key begins with the
workspace. Each capability's store/keys.py builds its own keys from these."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

META = "META"


def stamp(moment: datetime) -> str:
    """A sortable UTC timestamp for keys (fixed width, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unique_suffix() -> str:
    return secrets.token_hex(4)


def workspace_of(pk: str) -> str:
    """The workspace a base-table key belongs to (keys are `WS#{workspace}#...`)."""
    return pk.split("#", 2)[1]


def listed(moment: datetime, item_id: str) -> str:
    """An item's sort key in a listing: newest last by time, its id keeping two of the same moment apart."""
    return f"{stamp(moment)}#{item_id}"


class KeyAttributes(TypedDict):
    """The key attributes of an item that ItemKeys describes (a TypedDict, so that `**` into a record is checked)."""

    pk: str
    sk: str
    gsi1pk: str
    gsi1sk: str
    gsi2pk: str
    gsi2sk: str
    gsi3pk: str


@dataclass(frozen=True)
class ItemKeys:
    """The keys of a kind of item that is one item of its own (`WS#{ws}#{kind}#{id}` / META), listed per workspace
    (gsi1 `WS#{ws}#{kind}`) and across workspaces (gsi2 `{kind}`), and found by id (gsi3 `{kind}#{id}`)."""

    kind: str

    def pk(self, workspace_id: str, item_id: str) -> str:
        return f"WS#{workspace_id}#{self.kind}#{item_id}"

    def in_workspace(self, workspace_id: str) -> str:
        return f"WS#{workspace_id}#{self.kind}"

    @property
    def everywhere(self) -> str:
        return self.kind

    def by_id(self, item_id: str) -> str:
        return f"{self.kind}#{item_id}"

    def of_item(self, workspace_id: str, item_id: str, listed_at: datetime) -> KeyAttributes:
        """Every key attribute of one item, for its record's constructor."""
        position = listed(listed_at, item_id)
        return {
            "pk": self.pk(workspace_id, item_id),
            "sk": META,
            "gsi1pk": self.in_workspace(workspace_id),
            "gsi1sk": position,
            "gsi2pk": self.everywhere,
            "gsi2sk": position,
            "gsi3pk": self.by_id(item_id),
        }

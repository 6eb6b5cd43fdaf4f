"""Keys of the channels', rules' and inbox's items (docs/data-model.md): every base-table key begins with the
workspace. A workspace's channels, their names and its rules share one partition: a workspace has a handful, and
routing reads them all."""

from __future__ import annotations

RULES_SK = "RULES"
READ_MARK_SK = "READMARK"


def routing_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#NOTIFY"


def channel_sk(channel_id: str) -> str:
    return f"CH#{channel_id}"


CHANNEL_PREFIX = channel_sk("")


def channel_name_sk(name: str) -> str:
    # Names are unique whatever their case: "Ops" and "ops" would be one channel to a person choosing.
    return f"CHNAME#{name.casefold()}"


def inbox_pk(workspace_id: str, principal: str) -> str:
    return f"WS#{workspace_id}#INBOX#{principal}"


def unread_listing(workspace_id: str, principal: str) -> str:
    """gsi1 partition of a principal's unread items (sparse: an item leaves it when read)."""
    return f"WS#{workspace_id}#INBOX#{principal}#UNREAD"


def inbox_event_sk(event_key: str) -> str:
    return f"EVT#{event_key}"

"""What the live services need: where connections are kept, and how a message reaches a connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Connection:
    """An authenticated socket: its id (API Gateway's, or the local server's), whose events it hears."""

    connection_id: str
    workspace_id: str
    principal: str
    subscriptions: frozenset[str]


class ConnectionStore(Protocol):
    def find(self, connection_id: str, *, patient: bool = True) -> Connection | None:
        """The connection's item; `patient`: look again briefly when not found (an index that lags a write)."""
        ...

    def save(self, connection: Connection) -> None: ...

    def delete(self, connection: Connection) -> None: ...

    def of_workspace(self, workspace_id: str) -> list[Connection]: ...


class Sockets(Protocol):
    """API Gateway's management API (`@connections`), or the local server's emulation of it."""

    def send(self, connection_id: str, message: dict[str, Any]) -> bool:
        """Send one message; False when the connection is gone (410), so its item can go too."""
        ...

    def close(self, connection_id: str) -> None: ...

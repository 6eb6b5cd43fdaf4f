"""The fan-out function's work: the table's changes become live events, sent to the sockets that asked for them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aisre.live.model.events import ItemChange, LiveEvent, events_of
from aisre.live.ports import ConnectionStore, Sockets

logger = logging.getLogger(__name__)


@dataclass
class FanOutResult:
    events: int = 0
    sent: int = 0
    gone: int = 0
    failed: int = 0


class LiveFanOut:
    def __init__(self, connections: ConnectionStore, sockets: Sockets) -> None:
        self._connections = connections
        self._sockets = sockets

    def handle(self, changes: Iterable[ItemChange]) -> FanOutResult:
        """Each change's events, to each connection of the event's workspace subscribed to it: one read of a
        workspace's connections per batch. Best effort: a send that fails is logged and the rest go on (the stream
        must never be held up by a browser)."""
        result = FanOutResult()
        by_workspace: dict[str, list[LiveEvent]] = {}
        for change in changes:
            for event in events_of(change):
                by_workspace.setdefault(event.workspace_id, []).append(event)
                result.events += 1
        for workspace_id, events in by_workspace.items():
            for connection in self._connections.of_workspace(workspace_id):
                for event in events:
                    if event.name not in connection.subscriptions:
                        continue
                    try:
                        delivered = self._sockets.send(connection.connection_id, event.message())
                    except Exception:
                        logger.exception("live event %s to connection %s failed", event.name, connection.connection_id)
                        result.failed += 1
                        continue
                    if not delivered:
                        # Gone (the browser left without a $disconnect reaching us): forget it, send it nothing more.
                        self._connections.delete(connection)
                        result.gone += 1
                        break
                    result.sent += 1
        return result

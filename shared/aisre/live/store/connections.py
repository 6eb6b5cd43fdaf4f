"""The connections of live sockets, kept beside the workspace whose events they hear, for at most 2 hours."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aisre.live.ports import Connection
from aisre.live.store.records import LiveConnectionRecord

# API Gateway closes a WebSocket after 2 hours whatever happens: an item left by a lost $disconnect ages out then.
CONNECTION_TTL = timedelta(hours=2)
# gsi3 is eventually consistent on AWS: a message right after the auth may find no item yet, so look again briefly.
_LOOKUPS = (0.0, 0.1, 0.3)


def partition(workspace_id: str) -> str:
    return f"WS#{workspace_id}#LIVE"


def sort_key(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def id_key(connection_id: str) -> str:
    return f"LIVECONN#{connection_id}"


class ConnectionTable:
    def __init__(self, clock: Callable[[], datetime], sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep

    def find(self, connection_id: str, *, patient: bool = True) -> Connection | None:
        for pause in _LOOKUPS if patient else _LOOKUPS[:1]:
            if pause:
                self._sleep(pause)
            for key in LiveConnectionRecord.by_id.query(id_key(connection_id), limit=1):
                try:
                    return _connection(LiveConnectionRecord.get(key.pk, key.sk, consistent_read=True))
                except LiveConnectionRecord.DoesNotExist:
                    return None  # deleted meanwhile (its $disconnect): the index had not caught up
        return None

    def save(self, connection: Connection) -> None:
        now = self._clock()
        LiveConnectionRecord(
            partition(connection.workspace_id),
            sort_key(connection.connection_id),
            gsi3pk=id_key(connection.connection_id),
            connection_id=connection.connection_id,
            workspace_id=connection.workspace_id,
            principal=connection.principal,
            subscriptions=sorted(connection.subscriptions),
            connected_at=now,
            ttl=now.astimezone(UTC) + CONNECTION_TTL,
        ).save()

    def delete(self, connection: Connection) -> None:
        LiveConnectionRecord(partition(connection.workspace_id), sort_key(connection.connection_id)).delete()

    def of_workspace(self, workspace_id: str) -> list[Connection]:
        query = LiveConnectionRecord.query(
            partition(workspace_id), LiveConnectionRecord.sk.startswith("CONN#"), consistent_read=True
        )
        return [_connection(record) for record in query]


def _connection(record: LiveConnectionRecord) -> Connection:
    return Connection(
        connection_id=record.connection_id,
        workspace_id=record.workspace_id,
        principal=record.principal,
        subscriptions=frozenset(record.subscriptions or ()),
    )

"""The socket function's work: a connection opens, sends messages, closes (API Gateway's routes, or WS /ws locally)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from aisre.core.auth import Keyring
from aisre.core.timestamps import utc_iso
from aisre.live.model import protocol
from aisre.live.model.protocol import UNAUTHENTICATED, UNAUTHORIZED, Auth, Ping, ProtocolError, Subscribe
from aisre.live.ports import Connection, ConnectionStore, Sockets


class LiveSocketService:
    """Answers each message with at most one reply (returned: the route's response, sent to the client). A refused
    key's error is sent, then the connection closed, through `sockets`."""

    def __init__(
        self,
        connections: ConnectionStore,
        sockets: Sockets,
        keyring: Callable[[], Keyring],
        clock: Callable[[], datetime],
    ) -> None:
        self._connections = connections
        self._sockets = sockets
        self._keyring = keyring
        self._clock = clock

    def connected(self, connection_id: str) -> None:
        """Nothing is kept until the connection authenticates: it hears nothing until then."""

    def disconnected(self, connection_id: str) -> None:
        connection = self._connections.find(connection_id, patient=False)
        if connection is not None:
            self._connections.delete(connection)

    def received(self, connection_id: str, text: str | bytes | None) -> dict[str, Any] | None:
        """The reply to one message (None when the connection was closed instead)."""
        try:
            message = protocol.parse(text)
            if isinstance(message, Ping):
                return protocol.pong(utc_iso(self._clock()))
            if isinstance(message, Auth):
                return self._authenticate(connection_id, message)
            connection = self._connections.find(connection_id)
            if connection is None:
                raise ProtocolError(UNAUTHENTICATED, 'authenticate first: {"type": "auth", "api_key": ...}')
            if isinstance(message, Subscribe):
                names = connection.subscriptions | message.events
            else:
                names = connection.subscriptions - message.events
            if names != connection.subscriptions:
                self._connections.save(replace(connection, subscriptions=names))
            return protocol.subscribed(names)
        except ProtocolError as error:
            if error.code != UNAUTHORIZED:
                return error.reply()
            self._sockets.send(connection_id, error.reply())
            self._sockets.close(connection_id)
            return None

    def _authenticate(self, connection_id: str, auth: Auth) -> dict[str, Any]:
        identity = protocol.authorize(self._keyring(), auth)
        before = self._connections.find(connection_id, patient=False)
        if before is not None and before.workspace_id != identity.workspace_id:
            self._connections.delete(before)  # authenticated again, elsewhere: it hears that workspace only
        kept = before.subscriptions if before is not None and before.workspace_id == identity.workspace_id else None
        self._connections.save(
            Connection(connection_id, identity.workspace_id, identity.principal, kept or frozenset())
        )
        return protocol.welcome(identity)

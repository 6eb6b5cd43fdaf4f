"""The live socket's protocol: auth, ping, subscribe and unsubscribe, errors; and the fan-out's tenant isolation.
The services run over in-memory stand-ins for their ports (the table and API Gateway are the integration tests')."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from aisre.core.auth import Keyring
from aisre.live.model import protocol
from aisre.live.model.events import EVENT_TYPES, ItemChange
from aisre.live.model.protocol import ProtocolError
from aisre.live.ports import Connection
from aisre.live.service.fanout import LiveFanOut
from aisre.live.service.socket import LiveSocketService

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


class Connections:
    def __init__(self) -> None:
        self.items: dict[str, Connection] = {}

    def find(self, connection_id: str, *, patient: bool = True) -> Connection | None:
        return self.items.get(connection_id)

    def save(self, connection: Connection) -> None:
        self.items[connection.connection_id] = connection

    def delete(self, connection: Connection) -> None:
        self.items.pop(connection.connection_id, None)

    def of_workspace(self, workspace_id: str) -> list[Connection]:
        return [c for c in self.items.values() if c.workspace_id == workspace_id]


class Sockets:
    def __init__(self, gone: frozenset[str] = frozenset()) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.closed: list[str] = []
        self.gone = gone

    def send(self, connection_id: str, message: dict[str, Any]) -> bool:
        if connection_id in self.gone:
            return False
        self.sent.append((connection_id, message))
        return True

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)


def service(keys: str = "") -> tuple[LiveSocketService, Connections, Sockets]:
    connections, sockets = Connections(), Sockets()
    return LiveSocketService(connections, sockets, lambda: Keyring(keys), lambda: NOW), connections, sockets


def say(socket: LiveSocketService, message: Any, connection: str = "c1") -> dict[str, Any] | None:
    return socket.received(connection, message if isinstance(message, str) else json.dumps(message))


def test_ping_is_answered_before_and_after_auth() -> None:
    socket, _, _ = service()
    assert say(socket, {"type": "ping"}) == {"type": "pong", "at": "2026-12-02T12:00:00Z"}


def test_dev_mode_auth_ignores_the_key_and_names_the_workspace() -> None:
    socket, connections, _ = service()
    assert say(socket, {"type": "auth", "api_key": "anything", "workspace_id": "acme"}) == {
        "type": "welcome",
        "workspace_id": "acme",
        "principal": "dev-mode",
        "events": list(EVENT_TYPES),
    }
    assert say(socket, {"type": "auth"}, "c2")["workspace_id"] == "default"  # type: ignore[index]
    # What the console sends in dev mode: empty strings are the same as nothing.
    assert say(socket, {"type": "auth", "api_key": "", "workspace_id": ""}, "c3")["workspace_id"] == "default"  # type: ignore[index]
    assert connections.items["c1"].subscriptions == frozenset()


def test_keys_decide_the_workspace_as_http_does() -> None:
    socket, _, sockets = service("alice=k-admin,bob=k-scoped:team-b")
    assert say(socket, {"type": "auth", "api_key": "k-admin", "workspace_id": "w1"})["principal"] == "alice"  # type: ignore[index]
    welcome = say(socket, {"type": "auth", "api_key": "k-scoped"}, "c2")
    assert welcome is not None and welcome["workspace_id"] == "team-b"
    # A scoped key naming another workspace, a wrong key, no key: refused, then the connection is closed.
    for number, message in enumerate(
        [
            {"type": "auth", "api_key": "k-scoped", "workspace_id": "w1"},
            {"type": "auth", "api_key": "wrong"},
            {"type": "auth"},
        ]
    ):
        assert say(socket, message, f"bad{number}") is None
        sent_to, error = sockets.sent[-1]
        assert sent_to == f"bad{number}" and error["type"] == "error" and error["code"] == "unauthorized"
        assert sockets.closed[-1] == f"bad{number}"


def test_subscribing_needs_auth_and_expands_patterns() -> None:
    socket, connections, _ = service()
    assert say(socket, {"type": "subscribe", "event": "incident.created"})["code"] == "unauthenticated"  # type: ignore[index]
    say(socket, {"type": "auth", "workspace_id": "acme"})
    assert say(socket, {"type": "subscribe", "event": "incident.*"}) == {
        "type": "subscribed",
        "events": ["incident.created", "incident.updated", "incident.resolved"],
    }
    assert say(socket, {"type": "subscribe", "events": ["system.alert", "incident.created"]}) == {
        "type": "subscribed",
        "events": ["incident.created", "incident.updated", "incident.resolved", "system.alert"],
    }
    assert say(socket, {"type": "unsubscribe", "event": "incident.updated"})["events"] == [  # type: ignore[index]
        "incident.created",
        "incident.resolved",
        "system.alert",
    ]
    assert say(socket, {"type": "subscribe", "event": "*"})["events"] == list(EVENT_TYPES)  # type: ignore[index]
    assert connections.items["c1"].subscriptions == frozenset(EVENT_TYPES)
    # Authenticating again in the same workspace keeps them; elsewhere starts over.
    say(socket, {"type": "auth", "workspace_id": "acme"})
    assert connections.items["c1"].subscriptions == frozenset(EVENT_TYPES)
    say(socket, {"type": "auth", "workspace_id": "other"})
    assert connections.items["c1"] == Connection("c1", "other", "dev-mode", frozenset())


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("{not json", None),
        ("[1, 2]", "type"),
        ("", "type"),
        ({"type": "dance"}, "type"),
        ({"type": 3}, "type"),
        ({"type": "subscribe"}, "event"),
        ({"type": "subscribe", "event": "incident.exploded"}, "event"),
        ({"type": "subscribe", "event": "nothing.*"}, "event"),
        ({"type": "subscribe", "events": []}, "events"),
        ({"type": "subscribe", "events": ["incident.created", 7]}, "events"),
        ({"type": "subscribe", "event": "a", "events": ["b"]}, "event"),
        ({"type": "auth", "workspace_id": "no spaces"}, "workspace_id"),
        ({"type": "auth", "api_key": 12}, "api_key"),
        ("x" * 40_000, None),
    ],
)
def test_a_bad_message_is_an_invalid_error_naming_its_field_and_the_connection_stays(
    message: Any, field: str | None
) -> None:
    socket, _, sockets = service()
    say(socket, {"type": "auth", "workspace_id": "acme"})
    error = say(socket, message)
    assert error is not None and error["type"] == "error" and error["code"] == "invalid" and error["message"]
    assert "field" in error and error["field"] == field
    assert sockets.closed == []


def test_expand_and_parse_directly() -> None:
    assert protocol.expand("approval.*") == {"approval.requested", "approval.decided"}
    with pytest.raises(ProtocolError) as raised:
        protocol.expand("*.created")
    assert raised.value.reply()["field"] == "event"


def test_disconnect_forgets_the_connection() -> None:
    socket, connections, _ = service()
    say(socket, {"type": "auth"})
    socket.disconnected("c1")
    socket.disconnected("never-authenticated")
    assert connections.items == {}


def incident(workspace: str) -> ItemChange:
    pk = f"WS#{workspace}#INC#inc-1"
    return ItemChange("INSERT", {"pk": pk, "sk": "META"}, {"pk": pk, "sk": "META", "id": "inc-1", "state": "open"}, "t")


def test_the_fan_out_sends_a_workspace_its_own_subscribed_events_only_and_forgets_gone_connections() -> None:
    connections, sockets = Connections(), Sockets(gone=frozenset({"gone"}))
    connections.save(Connection("a-all", "a", "p", frozenset(EVENT_TYPES)))
    connections.save(Connection("a-none", "a", "p", frozenset({"system.alert"})))
    connections.save(Connection("b-all", "b", "p", frozenset(EVENT_TYPES)))
    connections.save(Connection("gone", "a", "p", frozenset(EVENT_TYPES)))
    result = LiveFanOut(connections, sockets).handle([incident("a"), incident("a")])
    assert [to for to, _ in sockets.sent] == ["a-all", "a-all"]
    assert all(message["workspace_id"] == "a" for _, message in sockets.sent)
    assert (result.events, result.sent, result.gone) == (2, 2, 1) and "gone" not in connections.items

"""The socket's protocol, pure: what a client may send, how it is read, and the answers' shapes.

A client authenticates with its first message (`auth`: the API key never travels in a URL), then subscribes to
event names or patterns (`incident.*`, `*`); `ping` is answered at any time. A bad message is an `invalid` error
naming its field and the connection stays open; a refused key is `unauthorized` and the connection is closed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aisre.core.auth import DEV_MODE, WORKSPACE_ID, Keyring
from aisre.live.model.events import EVENT_TYPES

DEFAULT_WORKSPACE = "default"
MAX_MESSAGE_BYTES = 32 * 1024  # API Gateway's frame limit; a browser's messages are far smaller
MAX_NAMES = 50

UNAUTHORIZED = "unauthorized"  # a wrong key: the connection is closed after the error
UNAUTHENTICATED = "unauthenticated"  # a message other than auth or ping before auth
INVALID = "invalid"  # bad JSON, an unknown type, a bad field: the connection stays open


@dataclass(eq=False)
class ProtocolError(Exception):
    code: str
    message: str
    field: str | None = None

    def reply(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"type": "error", "code": self.code, "message": self.message}
        if self.field is not None or self.code == INVALID:
            answer["field"] = self.field  # an invalid message always names its field (null: the message as a whole)
        return answer


@dataclass(frozen=True)
class Auth:
    api_key: str | None
    workspace_id: str | None


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True)
class Subscribe:
    events: frozenset[str]


@dataclass(frozen=True)
class Unsubscribe:
    events: frozenset[str]


Message = Auth | Ping | Subscribe | Unsubscribe


@dataclass(frozen=True)
class Identity:
    """Who an authenticated connection is: the workspace whose events it may hear, and the principal."""

    workspace_id: str
    principal: str


def parse(text: str | bytes | None) -> Message:
    """One client message, or ProtocolError(invalid) naming what is wrong."""
    if text is None or len(text) == 0:
        raise ProtocolError(INVALID, "the message is empty: send a JSON object with a `type`", "type")
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(INVALID, f"the message is over {MAX_MESSAGE_BYTES} bytes")
    try:
        body = json.loads(text)
    except ValueError:
        raise ProtocolError(INVALID, "the message is not JSON") from None
    if not isinstance(body, dict):
        raise ProtocolError(INVALID, "the message must be a JSON object with a `type`", "type")
    kind = body.get("type")
    if kind == "ping":
        return Ping()
    if kind == "auth":
        return Auth(_optional_text(body, "api_key"), _optional_text(body, "workspace_id"))
    if kind in ("subscribe", "unsubscribe"):
        names = _event_names(body)
        return Subscribe(names) if kind == "subscribe" else Unsubscribe(names)
    if not isinstance(kind, str):
        raise ProtocolError(INVALID, "`type` must be one of auth, ping, subscribe, unsubscribe", "type")
    raise ProtocolError(INVALID, f"unknown type {kind[:40]!r}: one of auth, ping, subscribe, unsubscribe", "type")


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    """A string field that may be left out; empty is the same as left out (a console in dev mode sends `""`)."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 1024:
        raise ProtocolError(INVALID, f"`{name}` must be a string of at most 1024 characters", name)
    return value


def _event_names(body: dict[str, Any]) -> frozenset[str]:
    """The event names of a subscribe or unsubscribe (`event`: one, or `events`: a list), patterns expanded."""
    if "event" in body and "events" in body:
        raise ProtocolError(INVALID, "give `event` or `events`, not both", "event")
    if "event" in body:
        field, raw = "event", [body["event"]]
    elif "events" in body:
        field, raw = "events", body["events"]
        if not isinstance(raw, list) or not raw or len(raw) > MAX_NAMES:
            raise ProtocolError(INVALID, f"`events` must be a list of 1 to {MAX_NAMES} event names", "events")
    else:
        raise ProtocolError(INVALID, "name the `event` (or `events`) to subscribe to", "event")
    names: set[str] = set()
    for value in raw:
        if not isinstance(value, str):
            raise ProtocolError(INVALID, "an event name must be a string", field)
        names |= expand(value, field)
    return frozenset(names)


def expand(pattern: str, field: str = "event") -> frozenset[str]:
    """The event types a name or pattern means: `incident.created`, `incident.*`, `*`; unknown ones are invalid."""
    if pattern == "*":
        return frozenset(EVENT_TYPES)
    if pattern.endswith(".*"):
        prefix = pattern[:-1]
        found = frozenset(name for name in EVENT_TYPES if name.startswith(prefix))
    else:
        found = frozenset({pattern}) if pattern in EVENT_TYPES else frozenset()
    if not found:
        raise ProtocolError(
            INVALID, f"unknown event {pattern[:60]!r}: one of {', '.join(EVENT_TYPES)}, `<kind>.*` or `*`", field
        )
    return found


def ordered(names: frozenset[str] | set[str]) -> list[str]:
    """Event names in EVENT_TYPES' order (what a subscribed answer lists)."""
    return [name for name in EVENT_TYPES if name in names]


def authorize(keys: Keyring, auth: Auth) -> Identity:
    """Who `auth` makes the connection, as HTTP decides with X-Workspace-Id: a scoped key's own workspace (naming
    another is refused), else the one named, else `default`. In dev mode (no keys configured) the key is ignored."""
    requested = auth.workspace_id
    if requested is not None and not WORKSPACE_ID.match(requested):
        raise ProtocolError(
            INVALID, "workspace_id must be 1-64 letters, digits, '.', '_' or '-', starting with one", "workspace_id"
        )
    if keys.dev_mode:
        return Identity(requested or DEFAULT_WORKSPACE, DEV_MODE)
    caller = keys.authenticate(auth.api_key) if auth.api_key else None
    if caller is None:
        raise ProtocolError(UNAUTHORIZED, "the API key is missing or not valid", "api_key")
    if caller.workspace_id is not None:
        if requested is not None and requested != caller.workspace_id:
            raise ProtocolError(UNAUTHORIZED, f"workspace {requested} not found for this key", "workspace_id")
        return Identity(caller.workspace_id, caller.principal)
    return Identity(requested or DEFAULT_WORKSPACE, caller.principal)


def welcome(identity: Identity) -> dict[str, Any]:
    return {
        "type": "welcome",
        "workspace_id": identity.workspace_id,
        "principal": identity.principal,
        "events": list(EVENT_TYPES),
    }


def pong(now_iso: str) -> dict[str, Any]:
    return {"type": "pong", "at": now_iso}


def subscribed(names: frozenset[str] | set[str]) -> dict[str, Any]:
    return {"type": "subscribed", "events": ordered(names)}

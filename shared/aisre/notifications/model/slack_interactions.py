"""Slack's interactivity requests (a person clicking a button of ours): the form-encoded `payload` of a
block_actions request read into what acting on it needs, and the buttons' `value`s, which carry the workspace and
the incident or approval the button is about (Slack sends them back as it received them)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from aisre.core.auth import check_workspace_id
from aisre.core.errors import PayloadError

# The action_ids of our buttons (Slack sends the clicked one back).
ACKNOWLEDGE_ACTION = "aisre_acknowledge"
APPROVE_ACTION = "aisre_approve"
OPEN_ACTION = "aisre_open"  # a link button: Slack still sends an interaction, to be acknowledged and ignored

_PRINCIPAL_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")
# The platform's ids (inc-..., apr-...): anything else in a button's value was not written by it.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


@dataclass(frozen=True)
class ButtonValue:
    """What a button acts on. Short keys: a button's value is at most 2000 characters."""

    workspace_id: str
    incident_id: str | None = None
    approval_id: str | None = None

    def encode(self) -> str:
        fields = {"w": self.workspace_id, "i": self.incident_id, "a": self.approval_id}
        return json.dumps({key: value for key, value in fields.items() if value}, separators=(",", ":"))

    @classmethod
    def decode(cls, value: str | None) -> ButtonValue:
        """PayloadError unless `value` is one this platform wrote (ValidationError for a malformed workspace)."""
        try:
            raw = json.loads(value or "")
        except ValueError:
            raise PayloadError("the button's value is not one aisre wrote", field="payload.actions.value") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("w"), str):
            raise PayloadError("the button's value names no workspace", field="payload.actions.value")
        ids = {key: raw.get(key) for key in ("i", "a")}
        if any(item is not None and (not isinstance(item, str) or not _ID.match(item)) for item in ids.values()):
            raise PayloadError("the button's value carries a malformed id", field="payload.actions.value")
        workspace = check_workspace_id(raw["w"], "payload.actions.value")
        return cls(workspace_id=workspace, incident_id=ids["i"], approval_id=ids["a"])


@dataclass(frozen=True)
class SlackUser:
    id: str
    username: str | None = None
    name: str | None = None
    team_id: str | None = None

    @property
    def principal(self) -> str:
        """Who clicked, as services and the audit record it: `slack:<username>` (its id when it has none). The
        colon keeps it apart from every API key's name, which cannot hold one."""
        handle = _PRINCIPAL_UNSAFE.sub("", self.username or self.name or "")[:64]
        return f"slack:{handle or _PRINCIPAL_UNSAFE.sub('', self.id)[:64] or 'unknown'}"


@dataclass(frozen=True)
class SlackAction:
    action_id: str
    value: str | None = None
    block_id: str | None = None


@dataclass(frozen=True)
class SlackInteraction:
    type: str
    user: SlackUser
    actions: tuple[SlackAction, ...] = ()
    response_url: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None


def parse_interaction(body: bytes) -> SlackInteraction:
    """The interaction in a request's raw body (`payload=<JSON>`, form-encoded). PayloadError when it is not one."""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=16)
        raw = json.loads(form["payload"][0])
    except (UnicodeDecodeError, ValueError, KeyError, IndexError):
        raise PayloadError("the body is not Slack's form-encoded `payload` JSON", field="payload") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise PayloadError("the payload has no type", field="payload.type")
    user = raw.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise PayloadError("the payload names no user", field="payload.user")
    container = _object(raw.get("container"))
    channel = _object(raw.get("channel"))
    message = _object(raw.get("message"))
    listed = raw.get("actions")
    actions: list[Any] = listed if isinstance(listed, list) else []
    return SlackInteraction(
        type=raw["type"],
        user=SlackUser(
            id=user["id"],
            username=_text(user.get("username")),
            name=_text(user.get("name")),
            team_id=_text(user.get("team_id")),
        ),
        actions=tuple(
            SlackAction(
                action_id=item["action_id"], value=_text(item.get("value")), block_id=_text(item.get("block_id"))
            )
            for item in actions
            if isinstance(item, dict) and isinstance(item.get("action_id"), str)
        ),
        response_url=_text(raw.get("response_url")),
        channel_id=_text(container.get("channel_id")) or _text(channel.get("id")),
        message_ts=_text(container.get("message_ts")) or _text(message.get("ts")),
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class SlackReply:
    """What the person who clicked is told: `in_channel` when something happened the channel should see (who
    acknowledged, who approved), `ephemeral` (only them) when nothing did and why. No text: nothing to say (a
    link button)."""

    text: str = ""
    response_type: str = "ephemeral"
    replace_original: bool = False

    def body(self) -> dict[str, Any]:
        if not self.text:
            return {}
        return {"response_type": self.response_type, "replace_original": self.replace_original, "text": self.text}

"""Slack's block_actions payload read into what acting needs (who clicked, which button, its value, where to
answer), the buttons' values round-tripped, and anything else refused as a PayloadError, never a crash."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.core.errors import PayloadError, ValidationError
from aisre.notifications.model.slack_interactions import (
    ACKNOWLEDGE_ACTION,
    ButtonValue,
    SlackReply,
    SlackUser,
    parse_interaction,
)


def form(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


BLOCK_ACTIONS = {
    "type": "block_actions",
    "user": {"id": "U0CA5", "username": "amy.mcgee", "name": "amy.mcgee", "team_id": "T3MDE"},
    "api_app_id": "A0CA5",
    "token": "legacy",
    "container": {"type": "message", "message_ts": "1548261231.000200", "channel_id": "C0CA5", "is_ephemeral": False},
    "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
    "team": {"id": "T3MDE", "domain": "example"},
    "channel": {"id": "C0CA5", "name": "incidents"},
    "response_url": "https://hooks.slack.com/actions/T3MDE/1234/abcd",
    "actions": [
        {
            "action_id": ACKNOWLEDGE_ACTION,
            "block_id": "aisre_actions",
            "text": {"type": "plain_text", "text": "Acknowledge"},
            "value": ButtonValue("ws-1", incident_id="inc-1").encode(),
            "type": "button",
            "action_ts": "1548426417.840180",
        }
    ],
}


def test_block_actions_payload_is_read():
    interaction = parse_interaction(form(BLOCK_ACTIONS))
    assert interaction.type == "block_actions"
    assert interaction.user == SlackUser("U0CA5", "amy.mcgee", "amy.mcgee", "T3MDE")
    assert interaction.user.principal == "slack:amy.mcgee"
    (action,) = interaction.actions
    assert action.action_id == ACKNOWLEDGE_ACTION and ButtonValue.decode(action.value) == ButtonValue("ws-1", "inc-1")
    assert interaction.response_url == "https://hooks.slack.com/actions/T3MDE/1234/abcd"
    assert (interaction.channel_id, interaction.message_ts) == ("C0CA5", "1548261231.000200")


def test_principal_falls_back_to_the_id_and_drops_odd_characters():
    assert SlackUser("U1", None, None).principal == "slack:U1"
    assert SlackUser("U1", "bob smith:admin").principal == "slack:bobsmithadmin"
    assert SlackUser("U1", "::").principal == "slack:U1"


def test_button_values_round_trip_and_refuse_others():
    value = ButtonValue("ws-1", incident_id="inc-1", approval_id="apr-1")
    assert ButtonValue.decode(value.encode()) == value and len(value.encode()) < 2000
    for bad in (
        None,
        "",
        "not json",
        "[]",
        '{"i": "inc"}',
        '{"w": "ws", "i": 5}',
        '{"w": "ws", "a": ""}',
        '{"w": "ws", "i": "' + "x" * 200 + '"}',
        '{"w": "ws", "i": "a/b"}',
    ):
        with pytest.raises(PayloadError):
            ButtonValue.decode(bad)
    with pytest.raises(ValidationError):
        ButtonValue.decode('{"w": "../other"}')


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"payload=",
        b"payload=%7B",
        b"\xff\xfe",
        form([]),
        form({"type": 1}),
        form({"type": "block_actions"}),
        form({"type": "block_actions", "user": "U1"}),
        b"other=1",
    ],
)
def test_unreadable_payloads_are_payload_errors(body: bytes):
    with pytest.raises(PayloadError):
        parse_interaction(body)


def test_odd_actions_are_skipped():
    payload = dict(BLOCK_ACTIONS, actions=[5, "x", {"value": "no id"}, {"action_id": "other", "value": 3}])
    assert [a.action_id for a in parse_interaction(form(payload)).actions] == ["other"]
    assert parse_interaction(form(dict(BLOCK_ACTIONS, actions=7))).actions == ()


@given(st.binary(max_size=500))
def test_any_body_is_an_interaction_or_a_payload_error(body: bytes):
    try:
        interaction = parse_interaction(body)
    except PayloadError as refused:
        assert refused.field is not None and refused.field.startswith("payload")
    else:
        assert isinstance(interaction.type, str) and interaction.user.principal.startswith("slack:")


def test_reply_bodies():
    assert SlackReply().body() == {}
    assert SlackReply("done", "in_channel").body() == {
        "response_type": "in_channel",
        "replace_original": False,
        "text": "done",
    }

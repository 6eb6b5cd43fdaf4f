"""What each channel receives: the documented shapes (Slack Block Kit, Teams' Adaptive Card envelope, email,
PagerDuty Events v2, Opsgenie, Telegram, Standard Webhooks' payload), untrusted alert text escaped for each format
and cut to each API's limits, whatever it holds."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.model.events import WEBHOOK_EVENT_NAMES, EventType
from aisre.notifications.model.messages.email import email_message
from aisre.notifications.model.messages.opsgenie import opsgenie_request
from aisre.notifications.model.messages.pagerduty import pagerduty_dedup_key, pagerduty_event
from aisre.notifications.model.messages.slack import slack_message, slack_reply
from aisre.notifications.model.messages.teams import teams_message
from aisre.notifications.model.messages.telegram import telegram_message
from aisre.notifications.model.messages.text import confidence_text, conversation_alias, escape_cut, escape_html
from aisre.notifications.model.messages.webhook import webhook_body, webhook_payload
from aisre.notifications.model.retry_after import parse_retry_after
from aisre.notifications.model.slack_interactions import ACKNOWLEDGE_ACTION, APPROVE_ACTION, OPEN_ACTION, ButtonValue
from tests.support.notification_events import an_event

HOSTILE = "<!channel> <script>alert(1)</script> & <https://evil.example|click> \"quoted\" 'x'"
texts = st.text(max_size=20_000)


def _buttons(message: dict) -> dict[str, dict]:
    actions = [block for block in message["blocks"] if block["type"] == "actions"]
    return {element["action_id"]: element for block in actions for element in block["elements"]}


# -- Slack ---------------------------------------------------------------------------------------------------


def test_slack_card_has_header_fields_diagnosis_link_and_acknowledge():
    message = slack_message(an_event())
    header = message["blocks"][0]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert "CRITICAL" in header["text"]["text"] and "checkout 5xx rate above 5%" in header["text"]["text"]
    fields = next(block["fields"] for block in message["blocks"] if "fields" in block)
    assert [field["text"].split("\n")[0] for field in fields] == ["*Severity*", "*Service*", "*State*", "*Alerts*"]
    assert fields[3]["text"] == "*Alerts*\n3"
    diagnosis = [
        b for b in message["blocks"] if b["type"] == "section" and "Diagnosis" in b.get("text", {}).get("text", "")
    ]
    assert "database pool is exhausted (confidence 82%)" in diagnosis[0]["text"]["text"]
    buttons = _buttons(message)
    assert buttons[OPEN_ACTION]["url"] == "https://aisre.example.com/incidents/inc-0123456789ab"
    assert ButtonValue.decode(buttons[ACKNOWLEDGE_ACTION]["value"]) == ButtonValue("ws-test", "inc-0123456789ab")
    assert APPROVE_ACTION not in buttons
    assert message["text"].startswith("[CRITICAL] Incident opened: ")


def test_slack_approve_only_on_approval_requests_carrying_the_approval():
    event = an_event(EventType.APPROVAL_REQUESTED, approval_id="apr-42", data={"action": "restart_pod"})
    approve = _buttons(slack_message(event))[APPROVE_ACTION]
    assert ButtonValue.decode(approve["value"]) == ButtonValue("ws-test", "inc-0123456789ab", "apr-42")
    assert "confirm" in approve
    assert APPROVE_ACTION in _buttons(slack_reply(event))
    # The card's update carries no Approve: it belongs to the reply that asks.
    assert APPROVE_ACTION not in _buttons(slack_message(event, approve=False))
    for other in (EventType.INCIDENT_OPENED, EventType.INVESTIGATION_COMPLETED, EventType.INCIDENT_ESCALATED):
        assert APPROVE_ACTION not in _buttons(slack_message(an_event(other, approval_id="apr-42")))


def test_slack_no_acknowledge_once_acknowledged_or_resolved():
    for event in (an_event(EventType.INCIDENT_ACKNOWLEDGED), an_event(EventType.INCIDENT_RESOLVED, state="resolved")):
        assert ACKNOWLEDGE_ACTION not in _buttons(slack_message(event))


def test_slack_escapes_mrkdwn_control_characters():
    message = slack_message(an_event(title=HOSTILE, summary=HOSTILE, service=HOSTILE))
    texts = [text for block in message["blocks"] for text in _mrkdwn_texts(block)]
    assert any("&lt;!channel&gt;" in text for text in texts)
    assert any("&amp; &lt;https://evil.example|click&gt;" in text for text in texts)
    for text in [*texts, message["text"]]:
        assert "<" not in text and ">" not in text


def _mrkdwn_texts(block: dict) -> list[str]:
    found = []
    if block.get("text", {}).get("type") == "mrkdwn":
        found.append(block["text"]["text"])
    for item in block.get("fields", []) + block.get("elements", []):
        if item.get("type") == "mrkdwn":
            found.append(item["text"])
    return found


@given(title=texts, summary=texts, service=st.text(max_size=5000))
def test_slack_fits_block_kit_limits_whatever_the_text(title: str, summary: str, service: str):
    for message in (
        slack_message(an_event(title=title, summary=summary, service=service)),
        slack_reply(an_event(summary=summary)),
    ):
        assert len(message["text"]) <= 3000
        for block in message["blocks"]:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150
            for text in _mrkdwn_texts(block):
                assert len(text) <= 3000 and "<" not in text
                assert not re.search(r"&[#A-Za-z0-9]{0,8}…$", text), "a cut half entity"
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000


# -- Teams ---------------------------------------------------------------------------------------------------


def test_teams_adaptive_card_in_the_message_envelope():
    message = teams_message(an_event())
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    facts = {
        fact["title"]: fact["value"] for block in card["body"] if block["type"] == "FactSet" for fact in block["facts"]
    }
    assert facts["Severity"] == "critical" and facts["Service"] == "checkout" and facts["Alerts"] == "3"
    assert any("confidence 82%" in block.get("text", "") for block in card["body"])
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open incident", "url": an_event().link}]


# -- email ---------------------------------------------------------------------------------------------------


def test_email_subject_is_one_line_and_html_is_escaped():
    content = email_message(an_event(title="disk full\r\nBcc: victim@example.com " + HOSTILE, summary=HOSTILE))
    assert "\n" not in content.subject and "\r" not in content.subject and content.subject.startswith("[CRITICAL]")
    assert "<script>" not in content.html and "&lt;script&gt;" in content.html
    assert "<script>" in content.text  # plain text is plain: nothing renders it
    assert 'href="https://aisre.example.com/incidents/inc-0123456789ab"' in content.html


@given(title=texts)
def test_email_subject_bounded(title: str):
    subject = email_message(an_event(title=title)).subject
    assert len(subject) <= 200 and not re.search(r"[\r\n]", subject)


# -- PagerDuty -----------------------------------------------------------------------------------------------


def test_pagerduty_trigger_acknowledge_resolve_share_one_dedup_key():
    opened = pagerduty_event(an_event(), "R" * 32)
    assert opened["event_action"] == "trigger" and opened["routing_key"] == "R" * 32
    payload = opened["payload"]
    assert payload["severity"] == "critical" and payload["source"] == "checkout" and payload["component"] == "checkout"
    assert payload["custom_details"]["diagnosis"] == "The new release's database pool is exhausted (confidence 82%)"
    assert opened["links"] == [{"href": an_event().link, "text": "Open the incident in aisre"}]
    acked = pagerduty_event(an_event(EventType.INCIDENT_ACKNOWLEDGED), "R" * 32)
    resolved = pagerduty_event(an_event(EventType.INCIDENT_RESOLVED), "R" * 32)
    assert acked == {"routing_key": "R" * 32, "event_action": "acknowledge", "dedup_key": opened["dedup_key"]}
    assert resolved["event_action"] == "resolve" and resolved["dedup_key"] == opened["dedup_key"]
    assert opened["dedup_key"] == "aisre/ws-test/inc-0123456789ab"
    # A group's incidents are one conversation.
    assert pagerduty_dedup_key(an_event(group_id="inc-root")) == "aisre/ws-test/inc-root"


def test_pagerduty_severities():
    mapped = {
        sev: pagerduty_event(an_event(severity=sev), "k")["payload"]["severity"]
        for sev in ("critical", "high", "warning", "info", "odd")
    }
    assert mapped == {"critical": "critical", "high": "error", "warning": "warning", "info": "info", "odd": "warning"}


@given(title=texts, workspace=st.text(min_size=1, max_size=300), incident=st.text(min_size=1, max_size=300))
def test_pagerduty_limits(title: str, workspace: str, incident: str):
    event = pagerduty_event(an_event(title=title, workspace_id=workspace, incident_id=incident), "k")
    assert len(event["payload"]["summary"]) <= 1024 and len(event["dedup_key"]) <= 255


# -- Opsgenie ------------------------------------------------------------------------------------------------


def test_opsgenie_create_then_acknowledge_and_close_by_alias():
    created = opsgenie_request(an_event())
    assert created.path == "/v2/alerts"
    body = created.body
    assert body["alias"] == "aisre/ws-test/inc-0123456789ab" and body["priority"] == "P1"
    assert (
        body["message"] == "checkout 5xx rate above 5%" and body["entity"] == "checkout" and body["source"] == "aisre"
    )
    assert all(isinstance(value, str) for value in body["details"].values())
    alias = "aisre%2Fws-test%2Finc-0123456789ab"
    assert (
        opsgenie_request(an_event(EventType.INCIDENT_ACKNOWLEDGED)).path
        == f"/v2/alerts/{alias}/acknowledge?identifierType=alias"
    )
    assert (
        opsgenie_request(an_event(EventType.INCIDENT_RESOLVED)).path == f"/v2/alerts/{alias}/close?identifierType=alias"
    )
    later = opsgenie_request(
        an_event(EventType.INVESTIGATION_COMPLETED), "aisre/ws-test/inc-0123456789ab", existing=True
    )
    assert later.path == f"/v2/alerts/{alias}/notes?identifierType=alias" and "Diagnosis ready" in later.body["note"]


def test_opsgenie_priorities():
    priorities = {
        sev: opsgenie_request(an_event(severity=sev)).body["priority"]
        for sev in ("critical", "high", "warning", "info", "low")
    }
    assert priorities == {"critical": "P1", "high": "P2", "warning": "P3", "info": "P5", "low": "P4"}


@given(title=texts, labels=st.dictionaries(st.text(max_size=80), st.text(max_size=200), max_size=40))
def test_opsgenie_limits(title: str, labels: dict[str, str]):
    body = opsgenie_request(an_event(title=title, labels=labels)).body
    assert 1 <= len(body["message"]) <= 130 and len(body["alias"]) <= 512 and len(body["description"]) <= 15_000
    assert len(body["tags"]) <= 20 and all(len(tag) <= 50 for tag in body["tags"])
    assert sum(len(k) + len(v) for k, v in body["details"].items()) <= 8000


# -- Telegram ------------------------------------------------------------------------------------------------


def test_telegram_send_message_is_escaped_html():
    message = telegram_message(an_event(title=HOSTILE), "-100123", reply_to=77)
    assert message["chat_id"] == "-100123" and message["parse_mode"] == "HTML"
    assert message["reply_parameters"] == {"message_id": 77, "allow_sending_without_reply": True}
    text = message["text"]
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert set(re.findall(r"</?([a-z]+)", text)) <= {"b", "i", "a", "code"}


@given(title=texts, summary=texts, service=st.text(max_size=2000))
def test_telegram_text_within_4096_and_only_our_tags(title: str, summary: str, service: str):
    text = telegram_message(an_event(title=title, summary=summary, service=service), "1")["text"]
    assert len(text) <= 4096
    assert set(re.findall(r"</?([a-z]+)", text)) <= {"b", "i", "a", "code"}


# -- webhooks and the text helpers ---------------------------------------------------------------------------


def test_webhook_payload_is_the_standard_webhooks_shape():
    for event_type, name in WEBHOOK_EVENT_NAMES.items():
        payload = webhook_payload(an_event(event_type))
        assert payload["type"] == name and set(payload) == {"type", "timestamp", "data"}
        assert datetime.fromisoformat(payload["timestamp"]) == datetime(2024, 6, 5, 12, 30, tzinfo=UTC)
        assert payload["data"]["event"] == event_type.value and payload["data"]["incident_id"] == "inc-0123456789ab"
    event = an_event(data={"when": datetime(2024, 1, 1, tzinfo=UTC)})
    assert json.loads(webhook_body(event)) == json.loads(json.dumps(webhook_payload(event), default=str))


@given(text=texts, limit=st.integers(min_value=1, max_value=5000))
def test_escape_cut_never_exceeds_nor_leaves_half_an_entity(text: str, limit: int):
    cut = escape_cut(text, limit, escape_html)
    assert len(cut) <= limit
    assert "<" not in cut and ">" not in cut
    if cut.endswith("…"):
        assert not re.search(r"&[#A-Za-z0-9]{0,8}…$", cut)


def test_confidence_and_conversation_alias():
    assert [confidence_text(v) for v in (0.82, 1, 82, 150, -1, "x", True, float("nan"))] == [
        "82%",
        "100%",
        "82%",
        "100%",
        None,
        None,
        None,
        None,
    ]
    long = an_event(incident_id="i" * 400)
    assert len(conversation_alias(long)) <= 255 and conversation_alias(long) == conversation_alias(long)


def test_retry_after_seconds_and_http_dates():
    now = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Wed, 05 Jun 2024 12:01:30 GMT", now) == 90.0
    assert parse_retry_after("Wed, 05 Jun 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("9999999999", now) == 86_400.0
    assert [parse_retry_after(v, now) for v in (None, "", "soon", "-5", "1.5")] == [None, None, None, None, None]

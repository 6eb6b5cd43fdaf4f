"""Each channel's sender against a loopback receiver standing in for the real API, checked against that API's
documented shape: Slack (incoming webhook; bot: chat.postMessage, then a thread reply and chat.update), Teams'
card envelope, PagerDuty trigger/acknowledge/resolve under one dedup_key, Opsgenie create/acknowledge/close by
alias, Telegram sendMessage, and outgoing webhooks signed per Standard Webhooks (verified by its library)."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator

import pytest
from standardwebhooks.webhooks import Webhook

from aisre.notifications.adapters.outbound import GuardedHttp
from aisre.notifications.adapters.senders.registry import SenderRegistry
from aisre.notifications.adapters.senders.webhook import SignedWebhookSender
from aisre.notifications.model.channels import ChannelType
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import EventType
from aisre.notifications.model.slack_interactions import ACKNOWLEDGE_ACTION, APPROVE_ACTION, ButtonValue
from aisre.notifications.model.webhooks import OutgoingWebhook
from tests.support.notification_events import a_channel, an_event
from tests.support.receivers import Answer, Received, Receiver

LOOPBACK_ALLOWED = GuardedHttp(allow_private=True)


class _Refuses:
    """An email sender that must not be asked (these tests send no email)."""

    def send(self, channel, event, thread=None) -> SendResult:  # type: ignore[no-untyped-def]
        raise AssertionError("no email here")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as started:
        yield started


@pytest.fixture
def senders() -> SenderRegistry:
    return SenderRegistry(LOOPBACK_ALLOWED, _Refuses())


def _buttons(message: dict) -> dict[str, dict]:
    return {
        element["action_id"]: element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


# -- Slack ---------------------------------------------------------------------------------------------------


def test_slack_incoming_webhook_posts_blocks_and_buttons(receiver: Receiver, senders: SenderRegistry):
    receiver.reset(Answer(200, "ok"))
    channel = a_channel(ChannelType.SLACK, webhook_url=receiver.url("/services/T000/B000/XXXX"))
    result = senders.for_channel(channel).send(channel, an_event())
    assert result.ok and result.status_code == 200 and result.external_ref is None
    (request,) = receiver.requests
    assert request.method == "POST" and request.path == "/services/T000/B000/XXXX"
    assert request.header("content-type").startswith("application/json")
    message = request.json()
    assert message["blocks"][0]["type"] == "header" and message["text"].startswith("[CRITICAL]")
    assert ButtonValue.decode(_buttons(message)[ACKNOWLEDGE_ACTION]["value"]).incident_id == "inc-0123456789ab"
    # A webhook cannot thread: a later event is a message of its own.
    receiver.reset(Answer(200, "ok"))
    assert senders.for_channel(channel).send(channel, an_event(EventType.INCIDENT_RESOLVED), thread=None).ok
    assert receiver.requests[0].json()["text"].startswith("[CRITICAL] Incident resolved")


def _slack_web_api() -> tuple[Receiver, list[str]]:
    """A Slack Web API stand-in: every postMessage gets a new ts in C123, every update is ok."""
    counter = itertools.count(100)

    def respond(request: Received) -> Answer:
        body = request.json()
        if request.path.endswith("/chat.postMessage"):
            return Answer(200, {"ok": True, "channel": "C123", "ts": f"1700000000.000{next(counter)}"})
        if request.path.endswith("/chat.update"):
            return Answer(200, {"ok": True, "channel": body["channel"], "ts": body["ts"]})
        return Answer(200, {"ok": False, "error": "unknown_method"})

    return Receiver(respond=respond), []


def test_slack_bot_posts_then_replies_in_thread_and_updates_the_first_message(senders: SenderRegistry):
    api, _ = _slack_web_api()
    with api:
        channel = a_channel(ChannelType.SLACK, bot_token="xoxb-test-token", channel="C123", api_url=api.url("/api"))
        sender = senders.for_channel(channel)
        first = sender.send(channel, an_event())
        assert first.ok and first.external_ref == "C123:1700000000.000100"
        asked = an_event(
            EventType.APPROVAL_REQUESTED,
            approval_id="apr-1",
            state="open",
            alert_count=7,
            data={"action": "restart_pod", "requested_by": "alice"},
        )
        later = sender.send(channel, asked, thread=first.external_ref)
        assert later.ok and later.external_ref == first.external_ref

        post, reply, update = api.wait_for(3)
        for request in (post, reply, update):
            assert request.header("authorization") == "Bearer xoxb-test-token"
        assert post.path == "/api/chat.postMessage" and post.json()["channel"] == "C123"
        assert "thread_ts" not in post.json()
        assert reply.path == "/api/chat.postMessage"
        assert reply.json()["thread_ts"] == "1700000000.000100" and reply.json()["channel"] == "C123"
        approve = _buttons(reply.json())[APPROVE_ACTION]
        assert ButtonValue.decode(approve["value"]) == ButtonValue("ws-test", "inc-0123456789ab", "apr-1")
        assert update.path == "/api/chat.update"
        card = update.json()
        assert card["channel"] == "C123" and card["ts"] == "1700000000.000100"
        fields = next(block["fields"] for block in card["blocks"] if "fields" in block)
        assert fields[3]["text"] == "*Alerts*\n7" and APPROVE_ACTION not in _buttons(card)


def test_slack_web_api_refusals_are_failed_results():
    with Receiver(
        Answer(200, {"ok": False, "error": "channel_not_found"}),
        Answer(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "30"}),
        Answer(200, {"ok": False, "error": "internal_error"}),
        Answer(200, "<html>a proxy's page</html>"),
    ) as api:
        channel = a_channel(ChannelType.SLACK, bot_token="xoxb-t", channel="C404", api_url=api.url("/api"))
        sender = SenderRegistry(LOOPBACK_ALLOWED, _Refuses()).for_channel(channel)
        missing, limited, internal, garbage = (sender.send(channel, an_event()) for _ in range(4))
    assert not missing.ok and not missing.retryable and "channel_not_found" in missing.detail
    assert not limited.ok and limited.retryable and limited.retry_after == 30.0 and limited.status_code == 429
    assert not internal.ok and internal.retryable
    assert not garbage.ok and "a proxy's page" in garbage.detail


def test_slack_update_failure_still_delivers_the_reply():
    with Receiver(
        Answer(200, {"ok": True, "channel": "C1", "ts": "2.0"}),
        Answer(200, {"ok": False, "error": "cant_update_message"}),
    ) as api:
        channel = a_channel(ChannelType.SLACK, bot_token="xoxb-t", channel="C1", api_url=api.url("/api"))
        result = (
            SenderRegistry(LOOPBACK_ALLOWED, _Refuses())
            .for_channel(channel)
            .send(channel, an_event(EventType.INCIDENT_ESCALATED, recipients=("alice",)), thread="C1:1.0")
        )
        reply, _update = api.wait_for(2)
    assert result.ok and result.external_ref == "C1:1.0" and "cant_update_message" in result.detail
    assert reply.json()["reply_broadcast"] is True and "Paging alice" in reply.json()["blocks"][0]["text"]["text"]


# -- Teams ---------------------------------------------------------------------------------------------------


def test_teams_posts_the_adaptive_card_envelope(receiver: Receiver, senders: SenderRegistry):
    receiver.reset(Answer(202))
    channel = a_channel(ChannelType.TEAMS, webhook_url=receiver.url("/workflows/abc/triggers/manual/paths/invoke"))
    assert senders.for_channel(channel).send(channel, an_event()).ok
    message = receiver.requests[0].json()
    assert message["type"] == "message"
    attachment = message["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard" and attachment["content"]["version"] == "1.4"


# -- PagerDuty -----------------------------------------------------------------------------------------------


def test_pagerduty_trigger_acknowledge_resolve_with_one_dedup_key(receiver: Receiver, senders: SenderRegistry):
    receiver.reset(
        respond=lambda r: Answer(
            202, {"status": "success", "message": "Event processed", "dedup_key": r.json()["dedup_key"]}
        )
    )
    channel = a_channel(
        ChannelType.PAGERDUTY, routing_key="R0123456789ABCDEF0123456789ABCDE", events_url=receiver.url("/v2/enqueue")
    )
    sender = senders.for_channel(channel)
    opened = sender.send(channel, an_event())
    assert opened.ok and opened.status_code == 202
    acked = sender.send(channel, an_event(EventType.INCIDENT_ACKNOWLEDGED), thread=opened.external_ref)
    resolved = sender.send(channel, an_event(EventType.INCIDENT_RESOLVED), thread=opened.external_ref)
    assert acked.ok and resolved.ok
    events = [request.json() for request in receiver.wait_for(3)]
    assert [event["event_action"] for event in events] == ["trigger", "acknowledge", "resolve"]
    assert {event["dedup_key"] for event in events} == {opened.external_ref}
    assert all(event["routing_key"] == "R0123456789ABCDEF0123456789ABCDE" for event in events)
    payload = events[0]["payload"]
    assert {"summary", "source", "severity"} <= set(payload) and payload["severity"] == "critical"
    assert all(request.path == "/v2/enqueue" for request in receiver.requests)


# -- Opsgenie ------------------------------------------------------------------------------------------------


def test_opsgenie_create_acknowledge_close_by_alias(receiver: Receiver, senders: SenderRegistry):
    receiver.reset(
        respond=lambda r: Answer(202, {"result": "Request will be processed", "took": 0.1, "requestId": "r1"})
    )
    channel = a_channel(ChannelType.OPSGENIE, api_key="eb243592-faa2-4ba2-a551q-1afdf565c889", api_url=receiver.url())
    sender = senders.for_channel(channel)
    created = sender.send(channel, an_event())
    diagnosed = sender.send(channel, an_event(EventType.INVESTIGATION_COMPLETED), thread=created.external_ref)
    acked = sender.send(channel, an_event(EventType.INCIDENT_ACKNOWLEDGED), thread=created.external_ref)
    closed = sender.send(channel, an_event(EventType.INCIDENT_RESOLVED), thread=created.external_ref)
    assert all(result.ok for result in (created, diagnosed, acked, closed))
    create, note, ack, close = receiver.wait_for(4)
    assert all(
        r.header("authorization") == "GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889"
        for r in (create, note, ack, close)
    )
    assert (
        create.path == "/v2/alerts"
        and create.json()["alias"] == created.external_ref == "aisre/ws-test/inc-0123456789ab"
    )
    assert create.json()["priority"] == "P1" and len(create.json()["message"]) <= 130
    alias_path = "/v2/alerts/aisre%2Fws-test%2Finc-0123456789ab"
    assert note.path == f"{alias_path}/notes" and note.query == {"identifierType": ["alias"]}
    assert ack.path == f"{alias_path}/acknowledge" and ack.query == {"identifierType": ["alias"]}
    assert close.path == f"{alias_path}/close" and close.query == {"identifierType": ["alias"]}
    assert ack.json()["source"] == "aisre"


# -- Telegram ------------------------------------------------------------------------------------------------


def test_telegram_send_message_and_reply_to_the_first(receiver: Receiver, senders: SenderRegistry):
    ids = itertools.count(41)
    receiver.reset(
        respond=lambda r: Answer(200, {"ok": True, "result": {"message_id": next(ids), "chat": {"id": -100}}})
    )
    channel = a_channel(ChannelType.TELEGRAM, bot_token="123456:ABC-DEF", chat_id="-100", api_url=receiver.url())
    sender = senders.for_channel(channel)
    first = sender.send(channel, an_event(title="<b>bold</b> & more"))
    later = sender.send(channel, an_event(EventType.INCIDENT_RESOLVED), thread=first.external_ref)
    assert first.ok and first.external_ref == "41" and later.external_ref == "41"
    post, reply = receiver.wait_for(2)
    assert post.path == "/bot123456:ABC-DEF/sendMessage"
    message = post.json()
    assert message["chat_id"] == "-100" and message["parse_mode"] == "HTML"
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in message["text"]
    assert reply.json()["reply_parameters"]["message_id"] == 41


def test_telegram_refusals_and_its_retry_after(receiver: Receiver, senders: SenderRegistry):
    receiver.reset(
        Answer(
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            },
        ),
        Answer(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}),
    )
    channel = a_channel(ChannelType.TELEGRAM, bot_token="123:tok", chat_id="1", api_url=receiver.url())
    limited = senders.for_channel(channel).send(channel, an_event())
    missing = senders.for_channel(channel).send(channel, an_event())
    assert not limited.ok and limited.retryable and limited.retry_after == 7.0
    assert not missing.ok and not missing.retryable and "chat not found" in missing.detail
    assert "123:tok" not in limited.detail + missing.detail


# -- outgoing webhooks ---------------------------------------------------------------------------------------


def test_webhook_delivery_is_signed_per_standard_webhooks(receiver: Receiver):
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    webhook = OutgoingWebhook(
        id="wh-1", workspace_id="ws-test", url=receiver.url("/hooks/aisre"), events=("*",), secret=secret
    )
    receiver.reset(Answer(204))
    result = SignedWebhookSender(LOOPBACK_ALLOWED).send(
        webhook, an_event(EventType.INVESTIGATION_COMPLETED), "msg_abc123"
    )
    assert result.ok and result.status_code == 204
    (request,) = receiver.requests
    assert request.header("webhook-id") == "msg_abc123"
    verified = Webhook(secret).verify(request.body, dict(request.headers))
    assert verified["type"] == "investigation.completed" and verified["data"]["incident_id"] == "inc-0123456789ab"
    assert set(verified) == {"type", "timestamp", "data"}


def test_webhook_with_an_unusable_secret_is_refused_unsent(receiver: Receiver):
    webhook = OutgoingWebhook(id="wh-2", workspace_id="ws-test", url=receiver.url(), events=("*",), secret="whsec_???")
    result = SignedWebhookSender(LOOPBACK_ALLOWED).send(webhook, an_event(), "msg_1")
    assert not result.ok and not result.retryable and receiver.requests == []

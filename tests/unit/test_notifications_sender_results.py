"""Whatever a receiver answers, or however the connection fails, every sender returns a SendResult and never
raises: hypothesis drives a stand-in for the outbound HTTP port (ports.OutboundHttp) through any status, body and
Retry-After, and through each failure the guarded client reports."""

from __future__ import annotations

import http.client
from collections.abc import Mapping

from hypothesis import given
from hypothesis import strategies as st

from aisre.notifications.adapters.senders.registry import SenderRegistry
from aisre.notifications.adapters.senders.webhook import SignedWebhookSender
from aisre.notifications.errors import OutboundAddressError
from aisre.notifications.model.channels import ChannelType
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import EventType
from aisre.notifications.model.webhooks import OutgoingWebhook
from aisre.notifications.ports import HttpAnswer
from tests.support.notification_events import a_channel, an_event

CHANNELS = [
    a_channel(ChannelType.SLACK, webhook_url="https://hooks.slack.com/services/T/B/X"),
    a_channel(ChannelType.SLACK, bot_token="xoxb-1", channel="C1"),
    a_channel(ChannelType.TEAMS, webhook_url="https://example.webhook.office.com/x"),
    a_channel(ChannelType.PAGERDUTY, routing_key="r"),
    a_channel(ChannelType.OPSGENIE, api_key="k"),
    a_channel(ChannelType.TELEGRAM, bot_token="1:t", chat_id="5"),
]
WEBHOOK = OutgoingWebhook(id="wh", workspace_id="ws", url="https://example.com/h", events=("*",), secret="whsec_a2V5")


class Scripted:
    """ports.OutboundHttp answering (or failing) as told, recording what it was asked."""

    def __init__(self, answer: HttpAnswer | Exception) -> None:
        self.answer = answer
        self.calls: list[str] = []

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float = 10.0, method: str = "POST"
    ) -> HttpAnswer:
        self.calls.append(url)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class NoEmail:
    def send(self, channel, event, thread=None) -> SendResult:  # type: ignore[no-untyped-def]
        raise AssertionError("no email here")


answers = st.builds(
    HttpAnswer,
    status_code=st.integers(min_value=100, max_value=599),
    body=st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [b'{"ok": false, "error": "ratelimited"}', b'{"ok": true}', b"[]", b"null", b'{"ok": true, "ts": 5}']
        ),
    ),
    headers=st.dictionaries(st.just("retry-after"), st.text(max_size=40), max_size=1),
)
failures = st.sampled_from(
    [
        OSError("connection refused"),
        TimeoutError("timed out"),
        OutboundAddressError("a loopback address", field="url"),
        ValueError("bad header"),
        http.client.InvalidURL("bad url"),
        UnicodeEncodeError("latin-1", "☃", 0, 1, "x"),
    ]
)
events = st.sampled_from(list(EventType)).map(lambda kind: an_event(kind, approval_id="apr-1"))
threads = st.one_of(st.none(), st.sampled_from(["C1:1.0", "12", "aisre/ws/inc", ":", "x:"]))


@given(answer=st.one_of(answers, failures), event=events, thread=threads)
def test_every_sender_answers_a_send_result(answer: HttpAnswer | Exception, event, thread: str | None):  # type: ignore[no-untyped-def]
    client = Scripted(answer)
    registry = SenderRegistry(client, NoEmail())
    for channel in CHANNELS:
        result = registry.for_channel(channel).send(channel, event, thread)
        assert isinstance(result, SendResult) and len(result.detail) <= 500
        if result.ok:
            assert isinstance(answer, HttpAnswer) and 200 <= answer.status_code < 300
        if result.retry_after is not None:
            assert 0 <= result.retry_after <= 86_400
    webhook = SignedWebhookSender(client).send(WEBHOOK, event, "msg_1")
    assert isinstance(webhook, SendResult)
    if isinstance(answer, Exception):
        assert not webhook.ok and webhook.status_code is None


def test_address_refusals_are_final_connection_failures_are_not():
    channel = CHANNELS[2]
    refused = SenderRegistry(Scripted(OutboundAddressError("metadata", field="url")), NoEmail()).for_channel(channel)
    unreachable = SenderRegistry(Scripted(OSError("refused")), NoEmail()).for_channel(channel)
    assert refused.send(channel, an_event()).retryable is False
    assert unreachable.send(channel, an_event()).retryable is True


def test_an_email_address_the_email_package_cannot_write_is_refused_before_connecting():
    from aisre.notifications.adapters.senders.mail import SesEmailSender, SmtpEmailSender, SmtpServer

    channel = a_channel(ChannelType.EMAIL, to=[":;@x"])
    # Port 1 on loopback: had it tried to connect, the result would be unreachable (retryable), not refused.
    smtp = SmtpEmailSender(SmtpServer("127.0.0.1", port=1)).send(channel, an_event())
    assert not smtp.ok and not smtp.retryable and smtp.detail.startswith("the email cannot be written")
    ses = SesEmailSender("us-east-1", "http://127.0.0.1:1", "a@b.c", client=object()).send(channel, an_event())
    assert not ses.ok and not ses.retryable

"""What a receiver does to a send, as the SendResult the delivery worker decides on: a 500 is retryable, a 429's
Retry-After (seconds or an HTTP date) is honoured, a 4xx is not retried, garbage (a body, or bytes that are not
HTTP) is recorded, a refused connection and a receiver too slow are unreachable, and an address the SSRF guard
forbids is refused before anything is sent. No sender raises for any of it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from aisre.notifications.adapters.outbound import GuardedHttp
from aisre.notifications.adapters.senders.registry import SenderRegistry
from aisre.notifications.adapters.senders.webhook import SignedWebhookSender
from aisre.notifications.model.channels import ChannelType
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.webhooks import OutgoingWebhook
from tests.support.notification_events import a_channel, an_event
from tests.support.receivers import Answer, Receiver
from tests.support.servers import free_port


class _NoEmail:
    def send(self, channel, event, thread=None) -> SendResult:  # type: ignore[no-untyped-def]
        raise AssertionError("no email here")


ALLOWED = SenderRegistry(GuardedHttp(allow_private=True), _NoEmail())
GUARDED = SenderRegistry(GuardedHttp(allow_private=False), _NoEmail())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as started:
        yield started


def _teams(url: str):  # type: ignore[no-untyped-def]
    return a_channel(ChannelType.TEAMS, webhook_url=url)


def _send(registry: SenderRegistry, channel) -> SendResult:  # type: ignore[no-untyped-def]
    return registry.for_channel(channel).send(channel, an_event())


def test_server_errors_are_retryable_client_errors_are_not(receiver: Receiver):
    receiver.reset(Answer(500, "boom"), Answer(503, ""), Answer(400, "bad card"), Answer(404, "gone"), Answer(408))
    channel = _teams(receiver.url("/hook"))
    results = [_send(ALLOWED, channel) for _ in range(5)]
    assert [(r.ok, r.status_code, r.retryable) for r in results] == [
        (False, 500, True),
        (False, 503, True),
        (False, 400, False),
        (False, 404, False),
        (False, 408, True),
    ]
    assert results[0].detail == "boom" and results[2].detail == "bad card"


def test_retry_after_in_seconds_and_as_an_http_date(receiver: Receiver):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    receiver.reset(
        Answer(429, "slow down", headers={"Retry-After": "17"}),
        Answer(503, "", headers={"Retry-After": later}),
        Answer(429, "", headers={"Retry-After": "whenever"}),
    )
    channel = a_channel(ChannelType.PAGERDUTY, routing_key="k", events_url=receiver.url("/v2/enqueue"))
    seconds, dated, nonsense = (_send(ALLOWED, channel) for _ in range(3))
    assert seconds.retryable and seconds.retry_after == 17.0 and seconds.status_code == 429
    assert dated.retryable and dated.retry_after is not None and 100 <= dated.retry_after <= 121
    assert nonsense.retryable and nonsense.retry_after is None


def test_garbage_answers_are_recorded_never_raised(receiver: Receiver):
    receiver.reset(
        Answer(200, b"\xff\xfe\x00 not json"),
        Answer(502, b"<html>" + b"x" * 5000),
        Answer(raw=b"SMTP? no, garbage\r\n\r\n"),
    )
    channel = _teams(receiver.url("/hook"))
    accepted, bad_gateway, not_http = (_send(ALLOWED, channel) for _ in range(3))
    assert accepted.ok  # a 2xx is a delivery, whatever its body says
    assert not bad_gateway.ok and bad_gateway.retryable and len(bad_gateway.detail) <= 500
    assert not not_http.ok and not_http.retryable and not_http.status_code is None


def test_a_refused_connection_and_a_slow_receiver_are_unreachable(receiver: Receiver):
    closed = _send(ALLOWED, _teams(f"http://127.0.0.1:{free_port()}/hook"))
    assert not closed.ok and closed.retryable and closed.status_code is None and "Connection" in closed.detail
    receiver.reset(Answer(200, "late", delay=1.5))
    impatient = SenderRegistry(GuardedHttp(allow_private=True), _NoEmail(), timeout=0.3)
    slow = _send(impatient, _teams(receiver.url("/hook")))
    assert not slow.ok and slow.retryable and "timed out" in slow.detail


def test_ssrf_loopback_refused_without_the_setting_and_metadata_always(receiver: Receiver):
    loopback = _send(GUARDED, _teams(receiver.url("/hook")))
    assert not loopback.ok and not loopback.retryable and "loopback" in loopback.detail
    for registry in (GUARDED, ALLOWED):
        metadata = _send(registry, _teams("http://169.254.169.254/latest/meta-data/iam/"))
        assert not metadata.ok and not metadata.retryable and "metadata" in metadata.detail
    private = _send(GUARDED, a_channel(ChannelType.OPSGENIE, api_key="k", api_url="http://10.0.0.8"))
    assert not private.ok and "private" in private.detail
    webhook = OutgoingWebhook(
        id="wh",
        workspace_id="ws",
        url="http://[::ffff:169.254.169.254]/x",
        events=("*",),
        secret="whsec_" + base64.b64encode(b"k" * 24).decode(),
    )
    refused = SignedWebhookSender(GuardedHttp(allow_private=True)).send(webhook, an_event(), "msg_1")
    assert not refused.ok and not refused.retryable
    assert receiver.requests == []  # nothing reached the receiver


def test_secrets_in_urls_never_reach_the_result():
    token_url = "http://127.0.0.1:1/services/T0/B0/SECRETPATH"
    for channel in (
        _teams(token_url),
        a_channel(ChannelType.TELEGRAM, bot_token="999:SECRETTOKEN", chat_id="1", api_url="http://127.0.0.1:1"),
        a_channel(ChannelType.SLACK, webhook_url=token_url),
    ):
        for registry in (GUARDED, ALLOWED):
            result = _send(registry, channel)
            assert not result.ok and "SECRET" not in result.detail


def test_a_config_the_http_client_cannot_send_is_refused():
    channel = a_channel(ChannelType.OPSGENIE, api_key="k\u2603ey", api_url="http://127.0.0.1:1")
    result = _send(ALLOWED, channel)
    assert not result.ok and not result.retryable

"""Standard Webhooks signing, written here and verified by the specification's own library (standardwebhooks):
the signature covers the id, the timestamp and the exact body; a tampered body or another secret fails."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from aisre.notifications.errors import WebhookSecretError
from aisre.notifications.model.messages.webhook import webhook_body
from aisre.notifications.model.webhook_signing import webhook_headers, webhook_key
from tests.support.notification_events import an_event

SECRET = "whsec_" + base64.b64encode(b"a key of thirty-two bytes.......").decode()


def test_signed_delivery_verifies_with_the_standard_webhooks_library():
    body = webhook_body(an_event())
    headers = webhook_headers(SECRET, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", int(time.time()), body)
    assert headers["webhook-id"] == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    assert headers["webhook-signature"].startswith("v1,")
    verified = Webhook(SECRET).verify(body, headers)
    assert verified["type"] == "incident.created" and verified["data"]["incident_id"] == "inc-0123456789ab"
    # The prefix is optional, as the libraries take it.
    assert (
        webhook_headers(SECRET.removeprefix("whsec_"), "m", 1, body)["webhook-signature"]
        == webhook_headers(SECRET, "m", 1, body)["webhook-signature"]
    )


def test_tampered_body_or_other_secret_fails_verification():
    body = webhook_body(an_event())
    headers = webhook_headers(SECRET, "msg_1", int(time.time()), body)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"checkout", b"checkoux"), headers)
    other = "whsec_" + base64.b64encode(b"another key of 32 bytes.........").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)


def test_secrets_that_are_not_base64_are_refused():
    for bad in ("whsec_", "whsec_not base64!", "plain words"):
        with pytest.raises(WebhookSecretError):
            webhook_key(bad)

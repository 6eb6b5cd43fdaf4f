"""Outgoing webhooks' pure rules: the signing secret's form (what Standard Webhooks' libraries take), the event
names a webhook subscribes to (each unknown one named by its index), and the URL's form."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from aisre.notifications.errors import WebhookConfigError
from aisre.notifications.model.events import WEBHOOK_EVENT_NAMES
from aisre.notifications.model.webhooks import (
    SECRET_PREFIX,
    WEBHOOK_EVENTS,
    OutgoingWebhook,
    check_events,
    check_secret,
    check_webhook_url,
    encode_secret,
    secret_hint,
)
from aisre.notifications.service.webhooks import generate_secret

KNOWN = sorted(WEBHOOK_EVENTS)


def test_a_generated_secret_is_whsec_and_the_base64_of_24_random_bytes() -> None:
    secrets = {generate_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith(SECRET_PREFIX)
        assert len(base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)) == 24
        assert check_secret(secret) == secret


@given(st.binary(min_size=24, max_size=64))
def test_a_secret_of_any_key_the_specification_allows_signs_what_standardwebhooks_verifies(key: bytes) -> None:
    secret = check_secret(encode_secret(key))
    body = '{"type":"notification.test"}'
    now = datetime.now(UTC)
    signature = Webhook(secret).sign("msg_1", now, body)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}
    assert Webhook(secret).verify(body, headers) == {"type": "notification.test"}  # raises when it does not verify


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "not-a-secret",
        "whsec_",
        "whsec_!!!not-base64!!!",
        encode_secret(b"k" * 23),  # shorter than the specification's 24 bytes
        encode_secret(b"k" * 65),
        base64.b64encode(b"k" * 32).decode(),  # the key without its prefix
        "WHSEC_" + base64.b64encode(b"k" * 32).decode(),
    ],
)
def test_a_secret_not_of_that_form_is_refused_naming_the_secret(secret: str) -> None:
    with pytest.raises(WebhookConfigError) as refused:
        check_secret(secret)
    assert refused.value.field == "secret"


@given(st.binary(min_size=24, max_size=64))
def test_the_hint_a_read_shows_does_not_give_the_key_away(key: bytes) -> None:
    secret = encode_secret(key)
    hint = secret_hint(secret)
    assert hint.startswith(SECRET_PREFIX) and hint.endswith(secret[-4:])
    assert secret.removeprefix(SECRET_PREFIX)[:-4] not in hint


def test_every_webhook_event_name_and_the_wildcard_are_accepted_once_each() -> None:
    names = [*WEBHOOK_EVENT_NAMES.values(), "*", "incident.created"]
    accepted = check_events(names)
    assert set(accepted) == set(KNOWN) | {"*"}
    assert len(accepted) == len(set(accepted))
    assert accepted[0] == "incident.created"


@given(
    st.lists(st.sampled_from(KNOWN), max_size=8),
    st.text(min_size=1, max_size=40).filter(lambda name: name not in WEBHOOK_EVENTS and name != "*"),
    st.data(),
)
def test_an_unknown_event_name_is_refused_naming_its_index(known: list[str], unknown: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(known)))
    events = [*known[:position], unknown, *known[position:]]
    with pytest.raises(WebhookConfigError) as refused:
        check_events(events)
    assert refused.value.field == f"events[{position}]"


@pytest.mark.parametrize("events", [[], "incident.created", None, {"incident.created": True}, ["*"] * 21])
def test_events_must_be_a_short_non_empty_list(events: object) -> None:
    with pytest.raises(WebhookConfigError) as refused:
        check_events(events)
    assert refused.value.field == "events"


def test_an_event_name_that_is_not_text_is_named_too() -> None:
    with pytest.raises(WebhookConfigError) as refused:
        check_events(["incident.created", 7])
    assert refused.value.field == "events[1]"


@pytest.mark.parametrize(
    ("url", "allow_http"),
    [
        ("https://hooks.example.com/aisre", False),
        ("https://93.184.216.34:8443/x?y=1", False),
        ("http://127.0.0.1:9000/hook", True),
        ("https://[2001:db8::1]/hook", False),
    ],
)
def test_an_https_url_is_taken_as_given(url: str, allow_http: bool) -> None:
    assert check_webhook_url(url, allow_http=allow_http) == url


@pytest.mark.parametrize(
    ("url", "allow_http"),
    [
        ("http://hooks.example.com/aisre", False),  # https unless private networks are allowed
        ("ftp://hooks.example.com/aisre", True),
        ("hooks.example.com/aisre", False),
        ("https:///no-host", False),
        ("https://user:pass@hooks.example.com/", False),
        ("https://hooks.example.com:99999/", False),
        ("https://hooks.example.com/a b", False),
        ("https://[::1/", False),
        ("", False),
        ("https://" + "a" * 2050 + ".com/", False),
    ],
)
def test_a_url_that_cannot_be_a_webhook_is_refused_naming_the_url(url: str, allow_http: bool) -> None:
    with pytest.raises(WebhookConfigError) as refused:
        check_webhook_url(url, allow_http=allow_http)
    assert refused.value.field == "url"


def test_a_webhook_wants_its_events_only_while_enabled() -> None:
    webhook = OutgoingWebhook("whk-1", "ws", "https://x.example/", ("incident.created",), encode_secret(b"k" * 24))
    assert webhook.wants("incident.created") and not webhook.wants("incident.resolved")
    every = OutgoingWebhook("whk-2", "ws", "https://x.example/", ("*",), encode_secret(b"k" * 24))
    assert every.wants("incident.resolved")
    disabled = OutgoingWebhook("whk-3", "ws", "https://x.example/", ("*",), encode_secret(b"k" * 24), enabled=False)
    assert not disabled.wants("incident.created")

"""Slack's request signature: the one Slack computes passes; a forged one, a stale or future timestamp, a missing
or malformed header each fail with the error that names it (401 for all but the malformed, 400)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.core.errors import (
    SignatureExpiredError,
    SignatureMalformedError,
    SignatureMismatchError,
    SignatureMissingError,
)
from aisre.notifications.model.slack_signature import slack_signature, verify_slack_signature

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b"payload=%7B%22type%22%3A%22block_actions%22%7D"
NOW = 1_700_000_000


def test_slack_documented_example_signature():
    # Slack's documentation's example: the secret, timestamp and body give this signature.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert slack_signature(SECRET, "1531420618", body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )
    verify_slack_signature(SECRET, body, "1531420618", slack_signature(SECRET, "1531420618", body), 1531420618 + 10)


def test_valid_signature_passes_within_five_minutes():
    signature = slack_signature(SECRET, str(NOW), BODY)
    verify_slack_signature(SECRET, BODY, str(NOW), signature, NOW + 299)
    verify_slack_signature(SECRET, BODY, str(NOW), signature, NOW - 299)
    expected = "v0=" + hmac.new(SECRET.encode(), f"v0:{NOW}:".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature == expected


def test_forged_signatures_fail():
    with pytest.raises(SignatureMismatchError):
        verify_slack_signature(SECRET, BODY, str(NOW), slack_signature("another-secret", str(NOW), BODY), NOW)
    with pytest.raises(SignatureMismatchError):
        verify_slack_signature(SECRET, BODY + b"x", str(NOW), slack_signature(SECRET, str(NOW), BODY), NOW)
    with pytest.raises(SignatureMismatchError):
        # The signature of another moment does not cover this one.
        verify_slack_signature(SECRET, BODY, str(NOW), slack_signature(SECRET, str(NOW - 1), BODY), NOW)


def test_stale_and_future_timestamps_are_replays():
    for stamp in (NOW - 301, NOW + 301):
        with pytest.raises(SignatureExpiredError) as refused:
            verify_slack_signature(SECRET, BODY, str(stamp), slack_signature(SECRET, str(stamp), BODY), NOW)
        assert refused.value.field == "X-Slack-Request-Timestamp"


def test_missing_and_malformed_headers():
    signature = slack_signature(SECRET, str(NOW), BODY)
    with pytest.raises(SignatureMissingError):
        verify_slack_signature(SECRET, BODY, str(NOW), None, NOW)
    with pytest.raises(SignatureMissingError):
        verify_slack_signature(SECRET, BODY, None, signature, NOW)
    for stamp in ("soon", "-5", "1e9", "9" * 40):
        with pytest.raises(SignatureMalformedError):
            verify_slack_signature(SECRET, BODY, stamp, signature, NOW)
    with pytest.raises(SignatureMalformedError):
        verify_slack_signature(SECRET, BODY, str(NOW), "sha256=" + signature[3:], NOW)


@given(signature=st.text(max_size=100), body=st.binary(max_size=200))
def test_no_signature_but_the_right_one_passes(signature: str, body: bytes):
    if signature == slack_signature(SECRET, str(NOW), body):
        return
    with pytest.raises((SignatureMismatchError, SignatureMalformedError, SignatureMissingError)):
        verify_slack_signature(SECRET, body, str(NOW), signature, NOW)

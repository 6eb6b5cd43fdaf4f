"""Webhook signatures: over the raw bytes, with rotation, malformed and expired cases told apart."""

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.alerts.model.signatures import split_secrets, verify_grafana, verify_pagerduty
from aisre.core.errors import (
    SignatureExpiredError,
    SignatureMalformedError,
    SignatureMismatchError,
    SignatureMissingError,
)

BODY = b'{"event":{"event_type":"incident.triggered"}}'


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_pagerduty_accepts_a_valid_signature():
    verify_pagerduty(BODY, f"v1={sign('s1', BODY)}", ["s1"])


def test_pagerduty_rotation_any_signature_matching_any_secret_passes():
    header = f"v1={sign('old', BODY)},v1={sign('new', BODY)}"
    verify_pagerduty(BODY, header, ["new"])
    verify_pagerduty(BODY, f"v1={sign('old', BODY)}", split_secrets("new, old"))


def test_pagerduty_rejects_missing_malformed_and_wrong():
    with pytest.raises(SignatureMissingError):
        verify_pagerduty(BODY, None, ["s1"])
    with pytest.raises(SignatureMalformedError):
        verify_pagerduty(BODY, "sha256=abc", ["s1"])
    with pytest.raises(SignatureMismatchError):
        verify_pagerduty(BODY, f"v1={sign('other', BODY)}", ["s1"])


@given(st.binary(min_size=1, max_size=200))
def test_pagerduty_signature_covers_every_byte(tampered_tail):
    signature = f"v1={sign('s1', BODY)}"
    tampered = BODY + tampered_tail
    with pytest.raises(SignatureMismatchError):
        verify_pagerduty(tampered, signature, ["s1"])


def test_grafana_plain_and_timestamped_signatures():
    verify_grafana(BODY, sign("g", BODY), None, ["g"], now_epoch=1000, max_age_seconds=300)
    stamped = sign("g", b"1000:" + BODY)
    verify_grafana(BODY, stamped, "1000", ["g"], now_epoch=1100, max_age_seconds=300)


def test_grafana_refuses_replays_outside_the_window_and_bad_headers():
    stamped = sign("g", b"1000:" + BODY)
    with pytest.raises(SignatureExpiredError):
        verify_grafana(BODY, stamped, "1000", ["g"], now_epoch=1301, max_age_seconds=300)
    with pytest.raises(SignatureMissingError):
        verify_grafana(BODY, None, None, ["g"], now_epoch=1000, max_age_seconds=300)
    with pytest.raises(SignatureMalformedError):
        verify_grafana(BODY, "zz", None, ["g"], now_epoch=1000, max_age_seconds=300)
    with pytest.raises(SignatureMismatchError):
        verify_grafana(BODY, sign("x", BODY), None, ["g"], now_epoch=1000, max_age_seconds=300)

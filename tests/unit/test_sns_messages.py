"""SNS HTTP(S) deliveries: the signed text, the trusted URLs, and verifying and confirming (adapters.sns_https)."""

from __future__ import annotations

import json

import pytest

from aisre.alerts.adapters.sns_https import SnsHttpsClient, https_get
from aisre.alerts.model.sns_messages import SnsMessage, is_sns_url, read_sns_message, string_to_sign
from aisre.core.errors import (
    PayloadError,
    SignatureMalformedError,
    SignatureMismatchError,
    SignatureMissingError,
    UpstreamError,
)
from tests.support.sns import SUBSCRIPTION_ARN, SnsSigner, fake_sns, notification, subscription_confirmation

CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"


def test_a_notification_signs_its_fields_in_snss_order_and_subject_only_when_present():
    fields = notification({"AlarmName": "cpu"}, subject="ALARM: cpu")
    expected = (
        f"Message\n{fields['Message']}\nMessageId\n{fields['MessageId']}\nSubject\nALARM: cpu\n"
        f"Timestamp\n{fields['Timestamp']}\nTopicArn\n{fields['TopicArn']}\nType\nNotification\n"
    )
    assert string_to_sign(SnsMessage(fields)).decode() == expected
    without_subject = notification({"AlarmName": "cpu"}, subject=None)
    assert b"Subject" not in string_to_sign(SnsMessage(without_subject))


def test_a_confirmation_signs_its_subscribe_url_and_token():
    fields = subscription_confirmation("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")
    text = string_to_sign(SnsMessage(fields)).decode()
    assert text.index("MessageId\n") < text.index("SubscribeURL\n") < text.index("Timestamp\n") < text.index("Token\n")
    with pytest.raises(SignatureMalformedError) as error:
        string_to_sign(SnsMessage({k: v for k, v in fields.items() if k != "Token"}))
    assert error.value.field == "Token"


@pytest.mark.parametrize(
    ("body", "field"),
    [(b"not json", "body"), (b"[1]", "body"), (json.dumps({"Type": "Gossip"}).encode(), "Type")],
)
def test_an_unreadable_delivery_names_its_problem(body, field):
    with pytest.raises(PayloadError) as error:
        read_sns_message(body)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", True),
        ("https://sns.cn-north-1.amazonaws.com.cn/cert.pem", True),
        ("https://sns.eu-west-3.amazonaws.com:443/?Action=ConfirmSubscription", True),
        ("http://sns.us-east-1.amazonaws.com/cert.pem", False),  # not https
        ("https://sns.us-east-1.amazonaws.com.evil.example/cert.pem", False),
        ("https://evil.example/sns.us-east-1.amazonaws.com/cert.pem", False),
        ("https://s3.amazonaws.com/cert.pem", False),
        ("https://user@sns.us-east-1.amazonaws.com/cert.pem", False),
        ("https://sns.us-east-1.amazonaws.com:8443/cert.pem", False),
        ("https://169.254.169.254/latest/meta-data/", False),
    ],
)
def test_only_https_urls_on_an_sns_host_are_trusted(url, trusted):
    assert is_sns_url(url) is trusted


@pytest.fixture(scope="module")
def signer() -> SnsSigner:
    return SnsSigner()


class CountingFetch:
    def __init__(self, answers: dict[str, bytes]):
        self.answers = answers
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.answers[url]


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_message_verifies_and_the_certificate_is_fetched_once(signer, version):
    fetch = CountingFetch({CERT_URL: signer.certificate_pem})
    client = SnsHttpsClient(fetch=fetch)
    for subject in ("ALARM", "OK"):
        signed = signer.sign(notification({"AlarmName": "cpu"}, subject=subject), cert_url=CERT_URL, version=version)
        client.verify(SnsMessage(signed))
    assert fetch.urls == [CERT_URL]


def test_a_changed_field_no_longer_verifies(signer):
    client = SnsHttpsClient(fetch=CountingFetch({CERT_URL: signer.certificate_pem}))
    signed = signer.sign(notification({"AlarmName": "cpu", "NewStateValue": "OK"}), cert_url=CERT_URL)
    forged = signed | {"Message": json.dumps({"AlarmName": "cpu", "NewStateValue": "ALARM"})}
    with pytest.raises(SignatureMismatchError):
        client.verify(SnsMessage(forged))


def test_a_certificate_url_off_sns_is_refused_without_fetching_it(signer):
    fetch = CountingFetch({})
    client = SnsHttpsClient(fetch=fetch)
    signed = signer.sign(notification({"AlarmName": "cpu"}), cert_url="https://evil.example/cert.pem")
    with pytest.raises(SignatureMalformedError) as error:
        client.verify(SnsMessage(signed))
    assert error.value.field == "SigningCertURL" and fetch.urls == []


@pytest.mark.parametrize(
    ("change", "error_class", "field"),
    [
        ({"Signature": None}, SignatureMissingError, "Signature"),
        ({"Signature": "%%% not base64 %%%"}, SignatureMalformedError, "Signature"),
        ({"SigningCertURL": None}, SignatureMissingError, "SigningCertURL"),
        ({"SignatureVersion": "3"}, SignatureMalformedError, "SignatureVersion"),
    ],
)
def test_a_missing_or_malformed_signature_says_which_field(signer, change, error_class, field):
    client = SnsHttpsClient(fetch=CountingFetch({CERT_URL: signer.certificate_pem}))
    signed = signer.sign(notification({"AlarmName": "cpu"}), cert_url=CERT_URL)
    message = {key: value for key, value in (signed | change).items() if value is not None}
    with pytest.raises(error_class) as error:
        client.verify(SnsMessage(message))
    assert error.value.field == field


def test_confirming_visits_the_subscribe_url_and_reads_the_subscription_arn(signer):
    url = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc"
    answer = (
        "<ConfirmSubscriptionResponse>\n  <ConfirmSubscriptionResult>\n"
        f"    <SubscriptionArn>{SUBSCRIPTION_ARN}</SubscriptionArn>\n"
        "  </ConfirmSubscriptionResult>\n</ConfirmSubscriptionResponse>\n"
    )
    fetch = CountingFetch({url: answer.encode()})
    assert SnsHttpsClient(fetch=fetch).confirm(SnsMessage(subscription_confirmation(url))) == SUBSCRIPTION_ARN
    assert fetch.urls == [url]


def test_a_subscribe_url_off_sns_is_never_visited():
    fetch = CountingFetch({})
    message = SnsMessage(subscription_confirmation("http://169.254.169.254/latest/meta-data/"))
    with pytest.raises(PayloadError) as error:
        SnsHttpsClient(fetch=fetch).confirm(message)
    assert error.value.field == "SubscribeURL" and fetch.urls == []


def test_fetching_follows_no_redirect_and_reports_failures_as_upstream_errors(signer):
    with fake_sns(signer) as sns:
        assert https_get(sns.cert_url) == signer.certificate_pem
        with pytest.raises(UpstreamError, match="302"):
            https_get(f"{sns.base_url}/elsewhere")
        with pytest.raises(UpstreamError, match="404"):
            https_get(f"{sns.base_url}/missing")
    assert not any("169.254" in path for path in sns.requests)

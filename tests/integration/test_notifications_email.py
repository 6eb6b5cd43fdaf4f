"""Email for real: through an in-process SMTP server (aiosmtpd) that demands STARTTLS (a certificate made here)
and AUTH, and through the local stack's SES (moto), read back from what the emulator recorded. Both carry the
same multipart/alternative message; a later event threads under the first."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import boto3
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aisre.core.settings import get_settings
from aisre.notifications.adapters.senders.mail import SesEmailSender, SmtpEmailSender, SmtpServer
from aisre.notifications.model.channels import ChannelType
from aisre.notifications.model.events import EventType
from tests.support.notification_events import a_channel, an_event
from tests.support.servers import free_port

USER, PASSWORD = "aisre", "s3cret-smtp"
SENDER = "alerts@aisre.example.com"


def _self_signed(tmp: Path) -> tuple[Path, Path, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp / "cert.pem").write_bytes(cert_pem)
    (tmp / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tmp / "cert.pem", tmp / "key.pem", cert_pem


@dataclass
class Inbox:
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        # handled=False: aiosmtpd answers the refusal (535) itself.
        return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Inbox, int, ssl.SSLContext]]:
    cert, key, cert_pem = _self_signed(tmp_path_factory.mktemp("tls"))
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=inbox,
        auth_require_tls=True,
    )
    controller.start()
    client_tls = ssl.create_default_context(cadata=cert_pem.decode())
    try:
        yield inbox, port, client_tls
    finally:
        controller.stop()


def _parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_smtp_with_starttls_and_auth_sends_text_and_html(smtp: tuple[Inbox, int, ssl.SSLContext]):
    inbox, port, tls = smtp
    inbox.messages.clear()
    server = SmtpServer(host="127.0.0.1", port=port, username=USER, starttls=True, sender=SENDER)
    sender = SmtpEmailSender(server, password=lambda: PASSWORD, tls_context=tls)
    channel = a_channel(ChannelType.EMAIL, to=["oncall@example.com", "sre@example.com"])
    first = sender.send(channel, an_event(title="checkout <b>down</b> & out"))
    assert first.ok, first.detail
    later = sender.send(channel, an_event(EventType.INCIDENT_RESOLVED), thread=first.external_ref)
    assert later.ok and later.external_ref == first.external_ref
    assert inbox.logins == [USER, USER]
    (mail_from, rcpt, message), (_f, _r, reply) = inbox.messages
    assert mail_from == SENDER and rcpt == ["oncall@example.com", "sre@example.com"]
    assert message["Subject"] == "[CRITICAL] Incident opened: checkout <b>down</b> & out"
    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert "checkout <b>down</b> & out" in parts["text/plain"]
    assert "checkout &lt;b&gt;down&lt;/b&gt; &amp; out" in parts["text/html"] and "<b>down" not in parts["text/html"]
    assert message["Message-ID"] == first.external_ref
    assert reply["In-Reply-To"] == first.external_ref and reply["References"] == first.external_ref
    assert reply["Message-ID"] != first.external_ref


def test_smtp_refusals(smtp: tuple[Inbox, int, ssl.SSLContext]):
    _inbox, port, tls = smtp
    channel = a_channel(ChannelType.EMAIL, to=["oncall@example.com"])
    wrong = SmtpEmailSender(
        SmtpServer("127.0.0.1", port, USER, True, SENDER), password=lambda: "wrong", tls_context=tls
    ).send(channel, an_event())
    assert not wrong.ok and not wrong.retryable and "535" in wrong.detail
    # The server demands STARTTLS: without it, nothing is sent.
    plain = SmtpEmailSender(SmtpServer("127.0.0.1", port, "", False, SENDER)).send(channel, an_event())
    assert not plain.ok and not plain.retryable and "530" in plain.detail
    # Its certificate is not in the system's trust store.
    untrusted = SmtpEmailSender(SmtpServer("127.0.0.1", port, USER, True, SENDER), password=lambda: PASSWORD)
    result = untrusted.send(channel, an_event())
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.detail
    down = SmtpEmailSender(SmtpServer("127.0.0.1", free_port(), sender=SENDER), timeout=2).send(channel, an_event())
    assert not down.ok and down.retryable
    unset = SmtpEmailSender(SmtpServer("")).send(channel, an_event())
    assert not unset.ok and not unset.retryable and "SMTP_HOST" in unset.detail


def test_ses_sends_through_the_local_stack(local_stack: object):
    settings = get_settings()
    region, endpoint = settings.aws_region, settings.aws_endpoint_url
    boto3.client("sesv2", region_name=region, endpoint_url=endpoint).create_email_identity(EmailIdentity=SENDER)
    quota = boto3.client("ses", region_name=region, endpoint_url=endpoint).get_send_quota
    before = quota()["SentLast24Hours"]
    channel = a_channel(ChannelType.EMAIL, to=["oncall@example.com", "sre@example.com"])
    result = SesEmailSender(region, endpoint, SENDER).send(channel, an_event())
    assert result.ok and result.detail.startswith("SES message ") and result.external_ref
    assert quota()["SentLast24Hours"] >= before + 2  # SES counts recipients (moto counts the To header's again)
    refused = SesEmailSender(region, endpoint, "unverified@nowhere.example").send(channel, an_event())
    assert not refused.ok and not refused.retryable and "MessageRejected" in refused.detail


@pytest.fixture
def moto_ses() -> Iterator[str]:
    """moto's server in this process, so that the message it recorded can be read from its SES backend (the local
    stack's emulator runs in a child process, and its /moto-api/data.json trips over its Lambda models)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_ses_message_is_the_multipart_one_as_moto_recorded_it(moto_ses: str):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import RawMessage, ses_backends

    client = boto3.client(
        "sesv2", region_name="us-east-1", endpoint_url=moto_ses, aws_access_key_id="x", aws_secret_access_key="x"
    )
    client.create_email_identity(EmailIdentity=SENDER)
    sender = SesEmailSender("us-east-1", moto_ses, SENDER, client=client)
    channel = a_channel(ChannelType.EMAIL, to=["oncall@example.com"])
    result = sender.send(channel, an_event(title="SES path <check>"))
    assert result.ok, result.detail
    message_id = result.detail.rsplit(" ", 1)[1]
    (raw,) = [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages if m.id == message_id]
    assert isinstance(raw, RawMessage) and raw.source == SENDER and set(raw.destinations) == {"oncall@example.com"}
    message = email.message_from_string(raw.raw_data, policy=email.policy.default)
    assert message["Subject"] == "[CRITICAL] Incident opened: SES path <check>"
    assert message["Message-ID"] == result.external_ref
    parts = _parts(message)  # type: ignore[arg-type]
    assert "SES path &lt;check&gt;" in parts["text/html"] and "SES path <check>" in parts["text/plain"]

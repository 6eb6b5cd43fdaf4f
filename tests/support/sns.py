"""A stand-in for Amazon SNS's side of an HTTP(S) subscription: its signing certificate, signed messages,
and a server that answers certificate downloads and subscription confirmations on loopback."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from aisre.alerts.model.sns_messages import SnsMessage, string_to_sign

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:aisre-alarms"
SUBSCRIPTION_ARN = f"{TOPIC_ARN}:6b0e71bd-7e97-4d97-80ce-4a0994e55286"


class SnsSigner:
    """A key and a self-signed certificate, as SNS's SigningCertURL serves one."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = dt.datetime.now(dt.UTC)
        self.certificate_pem = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM)
        )

    def sign(self, fields: dict[str, Any], *, cert_url: str, version: str = "1") -> dict[str, Any]:
        signed = dict(fields, SignatureVersion=version, SigningCertURL=cert_url)
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(string_to_sign(SnsMessage(signed)), padding.PKCS1v15(), algorithm)
        return signed | {"Signature": base64.b64encode(signature).decode()}


def notification(alarm: dict[str, Any], *, subject: str | None = "ALARM") -> dict[str, Any]:
    fields: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC_ARN,
        "Message": json.dumps(alarm),
        "Timestamp": "2026-11-23T12:00:00.000Z",
    }
    if subject is not None:
        fields["Subject"] = subject
    return fields


def subscription_confirmation(subscribe_url: str, kind: str = "SubscriptionConfirmation") -> dict[str, Any]:
    return {
        "Type": kind,
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92" * 2,
        "TopicArn": TOPIC_ARN,
        "Message": f"You have chosen to subscribe to the topic {TOPIC_ARN}.",
        "SubscribeURL": subscribe_url,
        "Timestamp": "2026-11-23T12:00:00.000Z",
    }


@dataclass
class FakeSns:
    """What the loopback server answers, and every path it was asked for."""

    certificate_pem: bytes
    confirm_status: int = 200
    requests: list[str] = field(default_factory=list)
    base_url: str = ""

    @property
    def cert_url(self) -> str:
        return f"{self.base_url}/SimpleNotificationService-test.pem"

    @property
    def subscribe_url(self) -> str:
        return f"{self.base_url}/?Action=ConfirmSubscription&TopicArn={TOPIC_ARN}&Token=2336412f"


@contextmanager
def fake_sns(signer: SnsSigner) -> Iterator[FakeSns]:
    sns = FakeSns(signer.certificate_pem)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            sns.requests.append(self.path)
            if self.path.endswith(".pem"):
                self._answer(200, sns.certificate_pem)
            elif "Action=ConfirmSubscription" in self.path and sns.confirm_status == 200:
                body = (
                    "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult>"
                    f"<SubscriptionArn>{SUBSCRIPTION_ARN}</SubscriptionArn>"
                    "</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>"
                )
                self._answer(200, body.encode())
            elif "Action=ConfirmSubscription" in self.path:
                self._answer(sns.confirm_status, b"<ErrorResponse>Throttling</ErrorResponse>")
            elif self.path.startswith("/elsewhere"):
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._answer(404, b"")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sns.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sns
    finally:
        server.shutdown()
        server.server_close()

"""Email: SMTP anywhere (STARTTLS when SMTP_STARTTLS, implicit TLS on port 465, login when SMTP_USERNAME is set)
or SES v2 (EMAIL_TRANSPORT=ses; the raw MIME message, so both carry the same text and HTML). The SMTP password
is read from the secrets on each send, so a rotated one is used without a restart."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from aisre.notifications.adapters.senders.base import TIMEOUT_SECONDS
from aisre.notifications.adapters.senders.email_mime import UnwritableEmailError, mime_bytes
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import SendResult
from aisre.notifications.model.events import NotificationEvent

IMPLICIT_TLS_PORT = 465


def _recipients(channel: Channel) -> list[str]:
    to = channel.config.get("to") or []
    return [to] if isinstance(to, str) else [str(address) for address in to]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int = 587
    username: str = ""
    starttls: bool = True
    sender: str = "aisre@localhost"


class SmtpEmailSender:
    def __init__(
        self,
        server: SmtpServer,
        password: Callable[[], str] = lambda: "",
        tls_context: ssl.SSLContext | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._server = server
        self._password = password
        # The system's trust store unless a test stands in its own (a self-signed certificate).
        self._tls = tls_context or ssl.create_default_context()
        self._timeout = timeout

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        server = self._server
        if not server.host:
            return SendResult.refused("SMTP_HOST is not set: no email can be sent")
        recipients = _recipients(channel)
        if not recipients:
            return SendResult.refused("the email channel has no recipients (config.to)")
        try:
            message, root = mime_bytes(event, server.sender, recipients, thread)
        except UnwritableEmailError as unusable:
            return SendResult.refused(str(unusable))
        try:
            refused = self._deliver(message, recipients)
        except smtplib.SMTPAuthenticationError as denied:
            return SendResult(
                False, None, f"SMTP login refused: {denied.smtp_code} {_text(denied.smtp_error)}", retryable=False
            )
        except smtplib.SMTPRecipientsRefused as nobody:
            codes = ", ".join(f"{address}: {code}" for address, (code, _why) in nobody.recipients.items())
            return SendResult(False, None, f"SMTP refused every recipient ({codes})"[:500], retryable=False)
        except smtplib.SMTPResponseException as answered:
            # 4xx is the server's "not now", 5xx its "never".
            transient = 400 <= answered.smtp_code < 500
            detail = f"SMTP {answered.smtp_code} {_text(answered.smtp_error)}"
            return SendResult(False, None, detail[:500], retryable=transient)
        except smtplib.SMTPNotSupportedError as missing:
            return SendResult.refused(f"the SMTP server does not support it: {missing}")
        except (smtplib.SMTPException, OSError) as failed:
            return SendResult.unreachable(f"SMTP: {type(failed).__name__}: {failed}")
        except ValueError as unusable:
            # An address the server's command encoding cannot carry (no SMTPUTF8): the channel's config.
            return SendResult.refused(f"SMTP cannot send this: {type(unusable).__name__}: {unusable}")
        detail = f"sent to {len(recipients) - len(refused)} of {len(recipients)} recipients"
        if refused:
            detail += " (refused: " + ", ".join(sorted(refused)) + ")"
        return SendResult(True, None, detail[:500], external_ref=root)

    def _deliver(self, message: bytes, recipients: list[str]) -> dict[str, Any]:
        server = self._server
        smtp: smtplib.SMTP
        if server.port == IMPLICIT_TLS_PORT:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=self._timeout, context=self._tls)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=self._timeout)
        with smtp:
            smtp.ehlo()
            if server.starttls and server.port != IMPLICIT_TLS_PORT:
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            if server.username:
                smtp.login(server.username, self._password())
            refused: dict[str, Any] = smtp.sendmail(server.sender, recipients, message)
            return refused


class SesEmailSender:
    """SES v2 SendEmail with the raw message. boto3 is imported on first send (the HTTP groups never load it)."""

    # SES errors a later attempt can get past; the others (MessageRejected, an unverified sender, a paused
    # account) need a person.
    RETRYABLE = frozenset(
        {
            "TooManyRequestsException",
            "Throttling",
            "ThrottlingException",
            "LimitExceededException",
            "InternalFailure",
            "ServiceUnavailable",
            "InternalServiceError",
        }
    )

    def __init__(self, region: str, endpoint_url: str | None, sender: str, client: Any = None) -> None:
        self._region = region
        self._endpoint_url = endpoint_url
        self._sender = sender
        if client is not None:
            self.__dict__["_client"] = client

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.session.Session().client("sesv2", region_name=self._region, endpoint_url=self._endpoint_url)

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

        recipients = _recipients(channel)
        if not recipients:
            return SendResult.refused("the email channel has no recipients (config.to)")
        try:
            message, root = mime_bytes(event, self._sender, recipients, thread)
        except UnwritableEmailError as unusable:
            return SendResult.refused(str(unusable))
        try:
            answer = self._client.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": recipients},
                Content={"Raw": {"Data": message}},
            )
        except ClientError as refused:
            error = refused.response.get("Error", {})
            code = str(error.get("Code") or "Unknown")
            status = refused.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            detail = f"SES {code}: {error.get('Message') or ''}".strip()
            return SendResult(False, status, detail[:500], retryable=code in self.RETRYABLE or (status or 0) >= 500)
        except ParamValidationError as unusable:
            return SendResult.refused(f"SES cannot take this message: {unusable}")
        except BotoCoreError as failed:
            return SendResult.unreachable(f"SES: {type(failed).__name__}: {failed}")
        return SendResult(True, 200, f"SES message {answer.get('MessageId')}", external_ref=root)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

"""The email the SMTP and SES senders send: multipart/alternative (plain text, then HTML), and the headers that
thread a conversation in a mail client: the first event's Message-ID is derived from the conversation, each later
event's In-Reply-To and References name it."""

from __future__ import annotations

import email.policy
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate

from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.messages.email import email_message
from aisre.notifications.model.messages.text import conversation_alias


def _domain(sender: str) -> str:
    domain = sender.rpartition("@")[2].strip(" >") or "aisre.localhost"
    return domain if all(ch.isalnum() or ch in ".-" for ch in domain) else "aisre.localhost"


def thread_message_id(event: NotificationEvent, sender: str) -> str:
    """The conversation's first Message-ID: the same for every event of it, so a retried first email is one."""
    digest = hashlib.sha256(conversation_alias(event, 10_000).encode("utf-8")).hexdigest()[:32]
    return f"<conversation.{digest}@{_domain(sender)}>"


def event_message_id(event: NotificationEvent, sender: str) -> str:
    digest = hashlib.sha256(f"{event.workspace_id}/{event.event_id}".encode()).hexdigest()[:32]
    return f"<event.{digest}@{_domain(sender)}>"


class UnwritableEmailError(ValueError):
    """The message cannot be written: an address the email package cannot put in a header."""


def mime_bytes(
    event: NotificationEvent, sender: str, recipients: Sequence[str], thread: str | None
) -> tuple[bytes, str]:
    """The message as SMTP and SES take it (CRLF line ends), and the conversation's Message-ID (the external_ref
    later events thread under). UnwritableEmailError when it cannot be written."""
    try:
        message, root = mime_message(event, sender, recipients, thread)
        return message.as_bytes(policy=email.policy.SMTP), root
    # The email package's header parser fails in assorted ways on addresses it cannot read (ValueError, IndexError,
    # AttributeError on `:;@x`...): the channel's config, never the receiver's, and no retry changes it. Caught
    # whole, because no list of them is documented and a sender must not raise.
    except Exception as unusable:
        raise UnwritableEmailError(f"the email cannot be written: {type(unusable).__name__}: {unusable}") from None


def mime_message(
    event: NotificationEvent, sender: str, recipients: Sequence[str], thread: str | None
) -> tuple[EmailMessage, str]:
    content = email_message(event)
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    root = thread or thread_message_id(event, sender)
    if thread:
        message["Message-ID"] = event_message_id(event, sender)
        message["In-Reply-To"] = root
        message["References"] = root
    else:
        message["Message-ID"] = root
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders do not answer it
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    return message, root

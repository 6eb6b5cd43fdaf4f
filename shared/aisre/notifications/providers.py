"""The notifications' parts, each built on first ask (core/scope.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.notifications.ports import OutboundHttp, Sender, Senders, WebhookSender
    from aisre.notifications.service.slack_interactions import SlackInteractions


# Senders ------------------------------------------------------------------------------------------------------
# The channel senders, the outgoing webhooks' sender, the HTTP client they share (the SSRF guard), and Slack's
# buttons (served by the actions function: approving carries an action out on a cluster).


def outbound_http(scope: Scope) -> OutboundHttp:
    from aisre.notifications.adapters.outbound import GuardedHttp

    return GuardedHttp(allow_private=scope.settings.outbound_allow_private_networks)


def email_sender(scope: Scope) -> Sender:
    """EMAIL_TRANSPORT's sender: SES v2, or SMTP (its password read from the secrets on each send)."""
    settings = scope.settings
    if settings.email_transport == "ses":
        from aisre.notifications.adapters.senders.mail import SesEmailSender

        return SesEmailSender(settings.aws_region, settings.aws_endpoint_url, settings.email_from)
    from aisre.core.secrets import load_secrets
    from aisre.notifications.adapters.senders.mail import SmtpEmailSender, SmtpServer

    server = SmtpServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        starttls=settings.smtp_starttls,
        sender=settings.email_from,
    )
    return SmtpEmailSender(server, password=lambda: load_secrets(settings).smtp_password)


def channel_senders(scope: Scope) -> Senders:
    from aisre.notifications.adapters.senders.registry import SenderRegistry

    return SenderRegistry(scope.get(outbound_http), scope.get(email_sender))


def webhook_sender(scope: Scope) -> WebhookSender:
    from aisre.notifications.adapters.senders.webhook import SignedWebhookSender

    return SignedWebhookSender(scope.get(outbound_http))


def slack_interactions(scope: Scope) -> SlackInteractions:
    from aisre.core.secrets import load_secrets
    from aisre.incidents.providers import incident_service
    from aisre.notifications.service.slack_interactions import SlackInteractions
    from aisre.remediation.providers import approval_service

    settings = scope.settings
    return SlackInteractions(
        scope.get(incident_service),
        scope.get(approval_service),
        # Read on each request (the secrets source caches it): a rotated signing secret is used without a restart.
        signing_secret=lambda: load_secrets(settings).slack_signing_secret,
        http=scope.get(outbound_http),
    )

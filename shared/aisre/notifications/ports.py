"""The interfaces the notification services need: the senders (one per channel type, and the outgoing webhooks'),
the outbound HTTP client they share (the SSRF guard), and the stores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import DeliveryJob, SendResult
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.webhooks import OutgoingWebhook


@dataclass(frozen=True)
class HttpAnswer:
    status_code: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class OutboundHttp(Protocol):
    """HTTP to receivers outside the platform. Refuses (OutboundAddressError) a URL whose host resolves to a
    loopback, link-local, metadata or private address unless the settings allow them, and connects to the address
    it checked (no second lookup a DNS rebinding could answer differently). A connection that fails raises OSError."""

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float = 10.0, method: str = "POST"
    ) -> HttpAnswer: ...


class Sender(Protocol):
    """Sends one event to one channel of its type. Never raises for the receiver's sake: a receiver that is down,
    answers garbage or refuses is a SendResult saying so. `thread` is the external_ref of the conversation's first
    message (Slack: update it and reply in its thread; PagerDuty: the dedup_key), None for the first."""

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult: ...


class Senders(Protocol):
    def for_channel(self, channel: Channel) -> Sender: ...


class ChannelLookup(Protocol):
    def get_channel(self, workspace_id: str, channel_id: str) -> Channel:
        """With its secrets (from the secrets store). NotFoundError when it is not in the workspace."""

    def list_channels(self, workspace_id: str) -> Sequence[Channel]: ...


class WebhookSender(Protocol):
    """Delivers one event to one outgoing webhook, signed with its secret (Standard Webhooks: webhook-id,
    webhook-timestamp, webhook-signature over `id.timestamp.body`). Like Sender, it never raises for the receiver."""

    def send(self, webhook: OutgoingWebhook, event: NotificationEvent, message_id: str) -> SendResult: ...


class Dispatch(Protocol):
    """Hands an event to everything that should hear of it: the routed channels, the recipients' in-app inboxes,
    the subscribed webhooks, the matching triggers. Queues deliveries; never waits on a receiver."""

    def dispatch(self, event: NotificationEvent) -> None: ...


class DeliveryQueue(Protocol):
    """The delivery queue (SQS): jobs a worker takes, retried with backoff, dead-lettered when they give up."""

    def enqueue(self, jobs: Sequence[DeliveryJob], delay_seconds: int = 0) -> None: ...


class RouteResolver(Protocol):
    """Which of a workspace's channels an event goes to: the rules (first match wins, `continue` goes on), else the
    default rules per severity with the service's overrides."""

    def channels_for(self, event: NotificationEvent) -> Sequence[Channel]: ...


class Inbox(Protocol):
    """In-app notifications per principal (seed 002 /api/v1/notifications)."""

    def add(self, workspace_id: str, principal: str, event: NotificationEvent) -> None: ...


class WebhookLookup(Protocol):
    def get_webhook(self, workspace_id: str, webhook_id: str) -> OutgoingWebhook:
        """NotFoundError when it is not in the workspace (deleted since the job was queued)."""

    def subscribed(self, workspace_id: str, event_name: str) -> Sequence[OutgoingWebhook]: ...


class OnCall(Protocol):
    """Who is on call for a service now (its escalation policy's first level), for the in-app notification of a
    new incident; empty when no policy covers the service."""

    def responders(self, workspace_id: str, service: str | None) -> Sequence[str]: ...


class IncidentAcknowledger(Protocol):
    """What Slack's Acknowledge button needs of the incidents (their IncidentService)."""

    def acknowledge(
        self, workspace_id: str | None, incident_id: str, actor: str, note: str | None = None
    ) -> object: ...


class ApprovalDecider(Protocol):
    """What Slack's Approve button needs of the remediation (its ApprovalService): approve as the clicking person,
    which carries the action out (once). Returns (the approval, its outcome)."""

    def approve(
        self, workspace_id: str | None, approval_id: str, principal: str, *, authenticated: bool, comment: str | None
    ) -> tuple[Any, Any]: ...

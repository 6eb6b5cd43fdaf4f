"""The interfaces the notification services need: the senders (one per channel type, and the outgoing webhooks'),
the outbound HTTP client they share (the SSRF guard), and the stores."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import DeliveryJob, SendResult
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.inbox import InboxItem
from aisre.notifications.model.routing import RoutingRule
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


# -- Channels, routing and the inbox: their stores -------------------------------------------------------------


@dataclass(frozen=True)
class SecretRef:
    """Where a channel's secret values are: the secret's name in the secrets store and the version the channel
    uses (pinned, so that a write that lost its race cannot hand its values to the winner's channel)."""

    name: str
    version: str


@dataclass(frozen=True)
class StoredChannel:
    """A channel as stored: `channel.config` holds its plain values and its secrets masked (never a secret value);
    `secret` says where the secret values are (None: a channel without any)."""

    channel: Channel
    secret: SecretRef | None = None


@dataclass(frozen=True)
class RuleSet:
    """A workspace's rules in order, and the version their next write is conditioned on (0: none written yet)."""

    rules: tuple[RoutingRule, ...] = ()
    version: int = 0


class ChannelStore(Protocol):
    def list_channels(self, workspace_id: str) -> Sequence[StoredChannel]: ...

    def get_channel(self, workspace_id: str, channel_id: str) -> StoredChannel:
        """NotFoundError (field channel_id) when it is not in the workspace."""

    def create_channel(self, stored: StoredChannel) -> None:
        """ConflictError (field name) when the workspace has a channel of that name."""

    def replace_channel(self, current: StoredChannel, updated: StoredChannel) -> None:
        """Conditioned on `current`'s version (and the new name being free): ConflictError otherwise."""

    def delete_channel(self, stored: StoredChannel, rules_version: int) -> None:
        """Conditioned on its version and on the rules being at `rules_version` (read and found not naming it):
        ConflictError otherwise."""


class RuleStore(Protocol):
    def get_rules(self, workspace_id: str) -> RuleSet: ...

    def save_rules(
        self, workspace_id: str, rules: Sequence[RoutingRule], expected_version: int, channel_ids: Collection[str]
    ) -> RuleSet:
        """Conditioned on the version read and on each of `channel_ids` existing: ConflictError otherwise."""


class ChannelSecrets(Protocol):
    """A channel's secret values in the secrets store, one secret per channel."""

    def put(self, workspace_id: str, channel_id: str, values: Mapping[str, str]) -> SecretRef: ...

    def get(self, ref: SecretRef) -> dict[str, str]:
        """Empty when the secret (or its version) is gone."""

    def delete(self, ref: SecretRef) -> None: ...


class InboxStore(Protocol):
    def add(self, item: InboxItem, expires_at: datetime) -> bool:
        """False when the principal's inbox holds this event already (a redelivered event adds nothing)."""

    def list_items(
        self, workspace_id: str, principal: str, limit: int, offset: int, now: datetime
    ) -> tuple[list[InboxItem], bool]:
        """Newest first, and whether more follow."""

    def read_boundary(self, workspace_id: str, principal: str) -> str | None: ...

    def count_unread(
        self, workspace_id: str, principal: str, boundary: str | None, now: datetime, at_most: int
    ) -> int: ...

    def mark_read(self, workspace_id: str, principal: str, item_id: str, now: datetime) -> InboxItem:
        """NotFoundError (field notification_id) when the principal has no such item."""

    def mark_all_read(self, workspace_id: str, principal: str, boundary: str) -> None:
        """Moves the boundary forward (never back)."""

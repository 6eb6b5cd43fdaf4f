"""The interfaces the notification services need: the senders (one per channel type, and the outgoing webhooks'),
the outbound HTTP client they share (the SSRF guard), and the stores."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aisre.core.paging import Page
from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import Delivery, DeliveryJob, SendResult
from aisre.notifications.model.delivery_policy import TargetHealth
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.inbox import InboxItem
from aisre.notifications.model.oncall.escalation import Policy
from aisre.notifications.model.oncall.schedule import Schedule
from aisre.notifications.model.oncall.shifts import Shift
from aisre.notifications.model.queue_messages import QueueMessage
from aisre.notifications.model.routing import RoutingRule
from aisre.notifications.model.triggers import Trigger, TriggerRun
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


class NotificationQueue(Protocol):
    """The notification queue (SQS): events to route, incidents' facts, deliveries; and its dead-letter queue."""

    def send(self, messages: Sequence[QueueMessage], delay_seconds: int = 0) -> None: ...

    def dead_letter(self, message: QueueMessage, reason: str) -> None:
        """Park a message that gave up, with why, where an operator reads and replays it."""


class DeliveryRecords(Protocol):
    """Deliveries, conversations and the targets' circuits and rates (store/delivery_store.py)."""

    def begin(self, delivery: Delivery, event: NotificationEvent) -> bool: ...

    def save(self, delivery: Delivery, event: NotificationEvent) -> None: ...

    def get(self, workspace_id: str | None, delivery_id: str) -> tuple[Delivery, NotificationEvent]: ...

    def list_for_incident(self, workspace_id: str, incident_id: str, limit: int = 200) -> list[Delivery]: ...

    def list_for_target(
        self, workspace_id: str, target_kind: str, target_id: str, limit: int = 50
    ) -> list[Delivery]: ...

    def list_failed(self, workspace_id: str, limit: int = 50) -> list[Delivery]: ...

    def conversation_ref(self, workspace_id: str, conversation_key: str, kind: str, target_id: str) -> str | None: ...

    def remember_conversation(
        self, workspace_id: str, conversation_key: str, kind: str, target_id: str, external_ref: str, now: datetime
    ) -> None: ...

    def fold(
        self, workspace_id: str, conversation_key: str, kind: str, target_id: str, now: datetime, count: int = 1
    ) -> bool: ...

    def take_folded(self, workspace_id: str, conversation_key: str, kind: str, target_id: str) -> int: ...

    def health(self, workspace_id: str, kind: str, target_id: str) -> TargetHealth: ...

    def save_health(
        self, workspace_id: str, kind: str, target_id: str, health: TargetHealth, last_error: str | None = None
    ) -> None: ...

    def take_rate(
        self, workspace_id: str, kind: str, target_id: str, bucket: str, limit: int, now: datetime
    ) -> bool: ...


class TriggerHook(Protocol):
    """The triggers matching an event run their actions (service/triggers.py)."""

    def on_event(self, event: NotificationEvent) -> None: ...


class EscalationHook(Protocol):
    """Escalation of a new incident starts; an acknowledgement or resolution stops it (service/escalation.py)."""

    def start(self, workspace_id: str, incident_id: str, service: str | None, severity: str | None) -> bool:
        """True when an escalation started (a policy covers the service): its first level pages the people."""

    def stop(self, workspace_id: str, incident_id: str) -> bool: ...


class IncidentReader(Protocol):
    """IncidentService's reads: NotFoundError when the incident is not in the workspace."""

    def get(self, workspace_id: str | None, incident_id: str) -> Incident: ...

    def group(self, workspace_id: str | None, incident_id: str) -> dict[str, Any]:
        """The incident's group: its `children` (a storm's later incidents under it)."""


# -- outgoing webhooks and triggers ------------------------------------------------------------------------------


class UrlGuard(Protocol):
    """Where a URL's host leads: WebhookConfigError naming `url` when it resolves to a loopback, link-local,
    metadata or private address the settings do not allow (or does not resolve)."""

    def check(self, url: str) -> None: ...


class WebhookStore(Protocol):
    def create_webhook(self, webhook: OutgoingWebhook) -> None: ...

    def get_webhook(self, workspace_id: str | None, webhook_id: str) -> OutgoingWebhook:
        """With its secret. NotFoundError when it is not in the workspaces the caller sees (None: every one)."""

    def list_webhooks(self, workspace_id: str | None, limit: int) -> list[OutgoingWebhook]:
        """Newest first (every workspace's for None)."""

    def replace_webhook(self, webhook: OutgoingWebhook, read_version: int) -> None:
        """Written on condition that the stored version is still `read_version` (ConflictError otherwise)."""

    def delete_webhook(self, webhook: OutgoingWebhook) -> None:
        """NotFoundError when it was deleted meanwhile."""


class TriggerStore(Protocol):
    def create_trigger(self, trigger: Trigger) -> None: ...

    def get_trigger(self, workspace_id: str | None, trigger_id: str) -> Trigger:
        """NotFoundError when it is not in the workspaces the caller sees (None: every one)."""

    def list_triggers(self, workspace_id: str | None, limit: int) -> list[Trigger]:
        """Newest first (every workspace's for None)."""

    def replace_trigger(self, trigger: Trigger, read_version: int) -> None:
        """Written on condition that the stored version is still `read_version` (ConflictError otherwise)."""

    def delete_trigger(self, trigger: Trigger) -> None:
        """NotFoundError when it was deleted meanwhile. Its history stays until it ages out."""

    def add_run(self, run: TriggerRun, expires_at: datetime) -> None: ...

    def list_runs(self, workspace_id: str, trigger_id: str, limit: int) -> list[TriggerRun]:
        """Newest first."""


class TriggerActions(Protocol):
    """What a trigger's action does, through the other parts of the platform (the delivery queue, investigations,
    workflows); each returns what it made (a delivery id, a run id) and raises an AisreError saying why it could
    not. The checks raise NotFoundError for a channel or workflow that is not in the workspace."""

    def check_channel(self, workspace_id: str, channel_id: str) -> None: ...

    def check_workflow(self, workspace_id: str, workflow_id: str) -> None: ...

    def notify(self, workspace_id: str, channel_id: str, event: NotificationEvent) -> str: ...

    def investigate(self, workspace_id: str, incident_id: str, reason: str) -> str: ...

    def run_workflow(
        self,
        workspace_id: str,
        workflow_id: str,
        context: Mapping[str, Any],
        principal: str,
        *,
        dry_run: bool,
        incident_id: str | None,
    ) -> str: ...


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


# -- On-call and escalation -----------------------------------------------------------------------------------


class ScheduleStore(Protocol):
    """A workspace's on-call schedules. Missing ones are NotFoundError (field `schedule_id`)."""

    def create_schedule(self, schedule: Schedule) -> None: ...

    def get_schedule(self, workspace_id: str, schedule_id: str) -> Schedule: ...

    def find_schedules(self, workspace_id: str, schedule_ids: Collection[str]) -> dict[str, Schedule]:
        """Those of `schedule_ids` that exist, by id."""

    def list_schedules(self, workspace_id: str, limit: int, cursor: str | None) -> Page[Schedule]: ...

    def replace_schedule(self, before: Schedule, after: Schedule) -> None:
        """ConflictError when it changed since `before` was read."""

    def delete_schedule(self, schedule: Schedule) -> None:
        """ConflictError (naming them) while escalation policies name it."""


class PolicyStore(Protocol):
    """A workspace's escalation policies, each service claimed by one. A policy's write names the schedules it
    targets in the same transaction, so a schedule is never deleted from under it."""

    def create_policy(self, policy: Policy) -> None:
        """ConflictError when a service it names is another policy's, or a schedule was deleted meanwhile."""

    def get_policy(self, workspace_id: str, policy_id: str) -> Policy: ...

    def list_policies(self, workspace_id: str, limit: int, cursor: str | None) -> Page[Policy]: ...

    def replace_policy(self, before: Policy, after: Policy) -> None: ...

    def delete_policy(self, policy: Policy) -> None: ...

    def service_owners(self, workspace_id: str, services: Collection[str]) -> dict[str, str]:
        """The policy id each of `services` that has one belongs to."""

    def policy_for_service(self, workspace_id: str, service: str) -> Policy | None: ...


class EscalationPages(Protocol):
    """What an incident's escalation has paged: a Task retried after its page went out does not page again."""

    def paged_before(self, workspace_id: str, incident_id: str, round_: int, level: int) -> tuple[str, ...] | None:
        """Who that page went to, or None when it has not gone out."""

    def record_page(
        self, workspace_id: str, incident_id: str, policy_id: str, round_: int, level: int, recipients: Sequence[str]
    ) -> None: ...


class EscalationMachine(Protocol):
    """One Step Functions execution per incident, named from it: a second start of the same name is a no-op."""

    def start(self, name: str, state: Mapping[str, Any]) -> bool:
        """True when this call started it, False when an execution of that name exists already."""

    def stop(self, name: str) -> bool:
        """True when a running execution was stopped."""


class EscalationIncidents(Protocol):
    """What escalation needs of incidents (IncidentService is one)."""

    def get(self, workspace_id: str | None, incident_id: str) -> Incident: ...

    def record_event(self, workspace_id: str, event: TimelineEvent) -> None: ...


class CalendarWriter(Protocol):
    """A schedule's shifts as an iCalendar document (text/calendar)."""

    def calendar(self, schedule: Schedule, shifts: Sequence[Shift]) -> bytes: ...


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

"""Dispatcher: an event to everything that should hear of it. The routed channels and the subscribed webhooks get a
delivery each (recorded, then queued: the worker sends); the people it names get an in-app notification; the
triggers it matches run; a new incident's escalation starts and an acknowledged or resolved one's stops.

A storm's later incidents do not start conversations: each is folded into its group's first message at every
channel, and the first fold queues one update a little later that carries them all (counts, not a message each)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from aisre.core.clock import utc_now
from aisre.core.observability import logger
from aisre.notifications.model.channels import Channel
from aisre.notifications.model.delivery import Delivery, DeliveryJob, DeliveryStatus, TargetKind
from aisre.notifications.model.delivery_policy import GROUP_UPDATE_SECONDS, delivery_id
from aisre.notifications.model.events import WEBHOOK_EVENT_NAMES, EventType, NotificationEvent
from aisre.notifications.model.incident_events import folded_count, is_group_update, is_page
from aisre.notifications.model.queue_messages import Deliver
from aisre.notifications.model.webhooks import OutgoingWebhook
from aisre.notifications.ports import (
    DeliveryRecords,
    EscalationHook,
    Inbox,
    NotificationQueue,
    OnCall,
    RouteResolver,
    TriggerHook,
    WebhookLookup,
)

T = TypeVar("T")

# Events a person is told of in the app: those that ask something of them.
_INBOX_EVENTS = frozenset(
    {EventType.INCIDENT_OPENED, EventType.INCIDENT_ESCALATED, EventType.APPROVAL_REQUESTED, EventType.TEST}
)


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: str
    name: str
    type: str


@dataclass(frozen=True)
class Dispatched:
    """Where an event went: the deliveries queued (new or already there), and those folded into a group update."""

    queued: tuple[Target, ...]
    folded: tuple[Target, ...]
    recipients: tuple[str, ...]


def channel_target(channel: Channel) -> Target:
    return Target(TargetKind.CHANNEL, channel.id, channel.name, channel.type.value)


def webhook_target(webhook: OutgoingWebhook) -> Target:
    return Target(TargetKind.WEBHOOK, webhook.id, webhook.url, "webhook")


class Dispatcher:
    def __init__(
        self,
        routes: RouteResolver,
        webhooks: WebhookLookup,
        records: DeliveryRecords,
        queue: NotificationQueue,
        *,
        inbox: Inbox | None = None,
        oncall: OnCall | None = None,
        triggers: TriggerHook | None = None,
        escalation: EscalationHook | None = None,
        group_update_seconds: int = GROUP_UPDATE_SECONDS,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._group_update_seconds = group_update_seconds
        self._routes = routes
        self._webhooks = webhooks
        self._records = records
        self._queue = queue
        self._inbox = inbox
        self._oncall = oncall
        self._triggers = triggers
        self._escalation = escalation
        self._clock = clock

    def dispatch(
        self, event: NotificationEvent, deliver: Callable[[Sequence[DeliveryJob]], None] | None = None
    ) -> Dispatched:
        """Route `event`. Its new deliveries are queued, or handed to `deliver` (the delivery worker sends them at
        once: one trip through the queue fewer between an alert and its first message)."""
        if is_page(event) and event.event_type is EventType.INCIDENT_OPENED:
            # An escalation's first level: the channels had the incident's opening; this page is for the people.
            return Dispatched((), (), self._tell_people(event, ask_oncall=False))
        escalating = False if is_page(event) else self._escalate(event)
        recipients = self._tell_people(event, ask_oncall=not escalating)
        if self._triggers is not None:
            triggers = self._triggers
            self._guarded("triggers", lambda: triggers.on_event(event))
        channels = [channel_target(channel) for channel in self._routes.channels_for(event) if channel.enabled]
        hooks = [webhook_target(hook) for hook in self._webhooks.subscribed(event.workspace_id, _webhook_name(event))]
        if is_group_update(event):
            folded = tuple(target for target in channels if not self._fold(event, target))
            queued = [target for target in channels if target not in folded]
            self._queue_new(event, hooks, deliver)
            return Dispatched(tuple(queued + hooks), folded, recipients)
        self._queue_new(event, channels + hooks, deliver)
        return Dispatched(tuple(channels + hooks), (), recipients)

    def _queue_new(
        self,
        event: NotificationEvent,
        targets: Sequence[Target],
        deliver: Callable[[Sequence[DeliveryJob]], None] | None,
    ) -> None:
        jobs = []
        now = self._clock()
        for target in targets:
            delivery = new_delivery(event, target, now)
            if not self._records.begin(delivery, event):
                stored, _ = self._records.get(event.workspace_id, delivery.delivery_id)
                if stored.status is not DeliveryStatus.QUEUED:
                    continue  # handed over before and already on its way (or done)
            jobs.append(job_for(event, target, delivery.delivery_id))
        if jobs and deliver is not None:
            deliver(jobs)
        elif jobs:
            self._queue.send([Deliver(job) for job in jobs])

    def _fold(self, event: NotificationEvent, target: Target) -> bool:
        """Fold a storm's later incident into its group's conversation at `target`; True when this fold is the
        first since the last update, and so queued the update (sent NOTIFICATION_GROUP_UPDATE_SECONDS later)."""
        now, count = self._clock(), folded_count(event)
        first = self._records.fold(event.workspace_id, event.conversation_key, target.kind.value, target.id, now, count)
        if first:
            job = job_for(event, target, delivery_id(event.event_id, target.kind.value, target.id))
            self._queue.send([Deliver(job)], delay_seconds=self._group_update_seconds)
        return first

    def _tell_people(self, event: NotificationEvent, *, ask_oncall: bool) -> tuple[str, ...]:
        """The people the event names get it in the app; a new incident without an escalation that pages them,
        the people on call for its service."""
        if event.event_type not in _INBOX_EVENTS or is_group_update(event) or self._inbox is None:
            return ()
        recipients = event.recipients
        if not recipients and ask_oncall and event.event_type is EventType.INCIDENT_OPENED and self._oncall:
            oncall = self._oncall
            found = self._guarded("on-call", lambda: oncall.responders(event.workspace_id, event.service))
            recipients = tuple(found or ())
        people = tuple(dict.fromkeys(recipients))
        for principal in people:
            self._add_to_inbox(self._inbox, principal, event)
        return people

    def _add_to_inbox(self, inbox: Inbox, principal: str, event: NotificationEvent) -> None:
        self._guarded("inbox", lambda: inbox.add(event.workspace_id, principal, event))

    def _escalate(self, event: NotificationEvent) -> bool:
        """Start a new incident's escalation (True when one started), stop an acknowledged or resolved one's."""
        escalation, incident_id = self._escalation, event.incident_id
        if escalation is None or incident_id is None or is_group_update(event):
            return False
        if event.event_type is EventType.INCIDENT_OPENED:
            start = escalation.start
            return bool(
                self._guarded(
                    "escalation", lambda: start(event.workspace_id, incident_id, event.service, event.severity)
                )
            )
        if event.event_type in (EventType.INCIDENT_ACKNOWLEDGED, EventType.INCIDENT_RESOLVED):
            self._guarded("escalation", lambda: escalation.stop(event.workspace_id, incident_id))
        return False

    def _guarded(self, part: str, work: Callable[[], T]) -> T | None:
        """The channels' deliveries do not wait on the side parts: a failing one is logged, the rest goes on."""
        try:
            return work()
        except Exception:
            logger.exception("notifications: %s failed", part)
            return None


def _webhook_name(event: NotificationEvent) -> str:
    return WEBHOOK_EVENT_NAMES.get(event.event_type, event.event_type.value)


def new_delivery(event: NotificationEvent, target: Target, now: datetime) -> Delivery:
    return Delivery(
        delivery_id=delivery_id(event.event_id, target.kind.value, target.id),
        workspace_id=event.workspace_id,
        target_kind=target.kind,
        target_id=target.id,
        target_name=target.name,
        target_type=target.type,
        event_type=event.event_type.value,
        event_id=event.event_id,
        incident_id=event.incident_id,
        status=DeliveryStatus.QUEUED,
        attempts=0,
        created_at=now,
        updated_at=now,
    )


def job_for(event: NotificationEvent, target: Target, delivery: str) -> DeliveryJob:
    return DeliveryJob(delivery, event.workspace_id, target.kind, target.id, event)

"""DeliveryWorker: the notification queue's consumer. It routes events (the Dispatcher), turns incidents' facts
into events, and sends deliveries: through the target's circuit and per-minute rate, in the conversation's thread,
recording every attempt; a failure is retried after its backoff (or the receiver's Retry-After) by queueing the job
again with a delay, and one that gives up is recorded failed and parked in the dead-letter queue to replay."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from aisre.core.clock import utc_now
from aisre.core.errors import NotFoundError
from aisre.core.observability import logger
from aisre.notifications.errors import OutboundAddressError
from aisre.notifications.model.delivery import Delivery, DeliveryJob, DeliveryStatus, SendResult, TargetKind
from aisre.notifications.model.delivery_policy import (
    GiveUp,
    after_failure,
    minute_bucket,
    queue_delay,
    seconds_to_next_minute,
)
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.model.incident_events import announced, from_incident, is_group_update
from aisre.notifications.model.queue_messages import Deliver, IncidentFact, QueueMessage, RouteEvent
from aisre.notifications.ports import (
    ChannelLookup,
    DeliveryRecords,
    IncidentReader,
    NotificationQueue,
    Senders,
    WebhookLookup,
    WebhookSender,
)
from aisre.notifications.service.dispatch import Dispatcher, Target, channel_target, new_delivery, webhook_target

# An event's deliveries sent at once, at most this many side by side.
_PARALLEL_SENDS = 8


@dataclass(frozen=True)
class WorkerSettings:
    max_attempts: int = 6
    channel_per_minute: int = 60
    max_age_seconds: int = 3600
    public_base_url: str = ""


class DeliveryWorker:
    def __init__(
        self,
        dispatcher: Dispatcher,
        records: DeliveryRecords,
        queue: NotificationQueue,
        channels: ChannelLookup,
        senders: Senders,
        webhooks: WebhookLookup,
        webhook_sender: WebhookSender,
        incidents: IncidentReader,
        settings: WorkerSettings,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._dispatcher = dispatcher
        self._records = records
        self._queue = queue
        self._channels = channels
        self._senders = senders
        self._webhooks = webhooks
        self._webhook_sender = webhook_sender
        self._incidents = incidents
        self._settings = settings
        self._clock = clock

    def handle(self, message: QueueMessage) -> None:
        """Raises only when the message should come back (a store or the queue failed): the rest is recorded."""
        if isinstance(message, RouteEvent):
            self._dispatcher.dispatch(message.event, deliver=self.deliver_all)
        elif isinstance(message, IncidentFact):
            event = self._event_of(message)
            if event is not None:
                self._dispatcher.dispatch(event, deliver=self.deliver_all)
        else:
            self.deliver(message.job)

    def deliver_all(self, jobs: Sequence[DeliveryJob]) -> None:
        """An event's new deliveries, sent now side by side (each bounded by its sender's timeout); one whose store
        or queue write failed is queued, to be tried again from the queue."""
        if len(jobs) == 1:
            outcomes: list[BaseException | None] = [self._deliver_or_error(jobs[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(_PARALLEL_SENDS, len(jobs))) as pool:
                outcomes = list(pool.map(self._deliver_or_error, jobs))
        unsent = [job for job, error in zip(jobs, outcomes, strict=True) if error is not None]
        if unsent:
            self._queue.send([Deliver(job) for job in unsent])

    def _deliver_or_error(self, job: DeliveryJob) -> BaseException | None:
        try:
            self.deliver(job)
        except Exception as error:
            logger.exception("delivery %s failed in the worker; queued to be tried again", job.delivery_id)
            return error
        return None

    def _event_of(self, fact: IncidentFact) -> NotificationEvent | None:
        try:
            incident = self._incidents.get(fact.workspace_id, fact.incident_id)
        except NotFoundError:
            logger.warning("notification for incident %s, which is gone", fact.incident_id)
            return None
        if not announced(incident) and fact.event_type.value.startswith("incident."):
            return None
        summary = fact.data.get("summary") if isinstance(fact.data.get("summary"), str) else None
        return from_incident(
            incident,
            fact.event_type,
            occurred_at=fact.occurred_at,
            base_url=self._settings.public_base_url,
            summary=summary,
            data=fact.data,
            approval_id=fact.approval_id,
            subject=str(fact.data.get("investigation_id") or "") or None,
        )

    # Deliveries -------------------------------------------------------------------------------------------------

    def deliver(self, job: DeliveryJob) -> None:
        now = self._clock()
        event = job.event
        target, send = self._resolve(job)
        delivery = self._current(job, target, now)
        if delivery.status is DeliveryStatus.DELIVERED:
            return  # a job handed over twice
        if send is None:
            self._finish(job, delivery, SendResult.refused("the target was deleted or disabled"), now, park=False)
            return
        health = self._records.health(job.workspace_id, job.target_kind.value, job.target_id)
        if health.is_open(now):
            assert health.open_until is not None
            if (now - delivery.created_at).total_seconds() > self._settings.max_age_seconds:
                stale = SendResult.refused("the target's circuit stayed open (repeated failures)")
                self._finish(job, delivery, stale, now, park=True, reason="too old to send")
                return
            wait = (health.open_until - now).total_seconds()
            self._later(job, delivery, wait, "the target's circuit is open after repeated failures", now)
            return
        if job.target_kind is TargetKind.CHANNEL and not self._records.take_rate(
            job.workspace_id, job.target_kind.value, job.target_id, minute_bucket(now),
            self._settings.channel_per_minute, now,
        ):  # fmt: skip
            self._later(job, delivery, seconds_to_next_minute(now), "the channel's rate per minute is spent", now)
            return
        thread = None
        if job.target_kind is TargetKind.CHANNEL:
            thread = self._records.conversation_ref(
                job.workspace_id, event.conversation_key, job.target_kind.value, job.target_id
            )
            if is_group_update(event):
                event = self._group_update(job, event)
        result = send(event, thread)
        attempt = job.attempt + 1
        if result.ok:
            if thread is None and result.external_ref:
                self._records.remember_conversation(
                    job.workspace_id, event.conversation_key, job.target_kind.value, job.target_id,
                    result.external_ref, now,
                )  # fmt: skip
            if health.failures:
                self._records.save_health(
                    job.workspace_id, job.target_kind.value, job.target_id, health.after_success()
                )
        else:
            self._records.save_health(
                job.workspace_id, job.target_kind.value, job.target_id, health.after_failure(now), result.detail
            )
        done = replace(delivery, attempts=delivery.attempts + 1, target_name=target.name)
        if result.ok:
            self._save(done, DeliveryStatus.DELIVERED, result, now, event)
            return
        decision = after_failure(result, attempt, self._settings.max_attempts, job.delivery_id)
        if isinstance(decision, GiveUp):
            self._finish(job, done, result, now, park=True, reason=decision.reason)
            return
        self._save(done, DeliveryStatus.RETRYING, result, now, event, next_in=decision.delay_seconds)
        self._queue.send([Deliver(job.next_attempt())], queue_delay(decision.delay_seconds))

    def _group_update(self, job: DeliveryJob, event: NotificationEvent) -> NotificationEvent:
        """The group's update as it stands now: how many incidents its root has gathered (read from the incidents,
        so a later incident the ingest path did not announce (subscribers.py) counts too), the conversation open for
        the next fold."""
        folded = self._records.take_folded(
            job.workspace_id, event.conversation_key, job.target_kind.value, job.target_id
        )
        try:
            children = len(self._incidents.group(job.workspace_id, event.conversation_key).get("children") or [])
        except NotFoundError:
            children = 0
        return replace(event, data={**event.data, "folded_incidents": max(1, children or folded)})

    def _resolve(self, job: DeliveryJob) -> tuple[Target, Callable[[NotificationEvent, str | None], SendResult] | None]:
        """The target and how to send to it; no sender when it is gone or disabled."""
        try:
            if job.target_kind is TargetKind.CHANNEL:
                channel = self._channels.get_channel(job.workspace_id, job.target_id)
                sender = self._senders.for_channel(channel)
                target = channel_target(channel)
                if not channel.enabled:
                    return target, None
                return target, lambda event, thread: sender.send(channel, event, thread)
            webhook = self._webhooks.get_webhook(job.workspace_id, job.target_id)
            target = webhook_target(webhook)
            if not webhook.enabled:
                return target, None
            return target, lambda event, thread: self._webhook_sender.send(webhook, event, job.delivery_id)
        except NotFoundError:
            return Target(job.target_kind, job.target_id, job.target_id, job.target_kind.value), None
        except OutboundAddressError as exc:
            refusal = SendResult.refused(exc.message)
            target = Target(job.target_kind, job.target_id, job.target_id, job.target_kind.value)
            return target, lambda event, thread: refusal

    def _current(self, job: DeliveryJob, target: Target, now: datetime) -> Delivery:
        try:
            delivery, _ = self._records.get(job.workspace_id, job.delivery_id)
            return delivery
        except NotFoundError:
            # A group update (queued by the first fold, recorded when it goes) or a record lost: start one.
            delivery = new_delivery(job.event, target, now)
            self._records.begin(delivery, job.event)
            return delivery

    def _later(self, job: DeliveryJob, delivery: Delivery, wait: float, why: str, now: datetime) -> None:
        """Not attempted now (circuit open, rate spent): queued again for when it may go, the attempt not counted."""
        waiting = replace(
            delivery, status=DeliveryStatus.RETRYING, last_error=why, updated_at=now,
            next_attempt_at=now + timedelta(seconds=wait),
        )  # fmt: skip
        self._records.save(waiting, job.event)
        self._queue.send([Deliver(job)], queue_delay(wait))

    def _save(
        self,
        delivery: Delivery,
        status: DeliveryStatus,
        result: SendResult,
        now: datetime,
        event: NotificationEvent,
        next_in: float | None = None,
    ) -> None:
        self._records.save(
            replace(
                delivery,
                status=status,
                updated_at=now,
                last_status_code=result.status_code,
                last_error=None if result.ok else (result.detail or "no answer"),
                next_attempt_at=now + timedelta(seconds=next_in) if next_in is not None else None,
            ),
            event,
        )

    def _finish(
        self, job: DeliveryJob, delivery: Delivery, result: SendResult, now: datetime, *, park: bool, reason: str = ""
    ) -> None:
        self._save(delivery, DeliveryStatus.FAILED, result, now, job.event)
        if park:
            why = f"{reason}: {result.detail}" if reason else result.detail
            self._queue.dead_letter(Deliver(job), why)

    # Replay -----------------------------------------------------------------------------------------------------

    def replay(self, workspace_id: str | None, delivery_id: str) -> Delivery:
        """A failed delivery queued again from its first attempt (after its target was fixed)."""
        delivery, event = self._records.get(workspace_id, delivery_id)
        if delivery.status is DeliveryStatus.DELIVERED:
            return delivery
        now = self._clock()
        queued = replace(delivery, status=DeliveryStatus.QUEUED, attempts=0, updated_at=now, next_attempt_at=None)
        self._records.save(queued, event)
        job = DeliveryJob(delivery.delivery_id, delivery.workspace_id, delivery.target_kind, delivery.target_id, event)
        self._queue.send([Deliver(job)])
        return queued

"""The delivery pipeline's decisions, over in-memory stand-ins of its own ports: routing an event to deliveries
(once, however often handed over), a storm folded into one update per group, retries with backoff or the receiver's
Retry-After, the circuit that opens after repeated failures, the per-minute rate, the dead-letter queue, replay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from aisre.core.errors import NotFoundError
from aisre.notifications.model.channels import Channel, ChannelType
from aisre.notifications.model.delivery import Delivery, DeliveryStatus, SendResult, TargetKind
from aisre.notifications.model.delivery_policy import (
    CIRCUIT_FAILURES,
    GROUP_UPDATE_SECONDS,
    TargetHealth,
    after_failure,
    backoff_seconds,
)
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.queue_messages import Deliver, QueueMessage, RouteEvent, from_body, to_body
from aisre.notifications.model.webhooks import OutgoingWebhook
from aisre.notifications.service.delivery import DeliveryWorker, WorkerSettings
from aisre.notifications.service.dispatch import Dispatcher

NOW = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class MemoryRecords:
    def __init__(self) -> None:
        self.deliveries: dict[str, tuple[Delivery, NotificationEvent]] = {}
        self.conversations: dict[tuple[str, str, str], dict[str, object]] = {}
        self.healths: dict[tuple[str, str], TargetHealth] = {}
        self.rates: dict[tuple[str, str], int] = {}

    def begin(self, delivery: Delivery, event: NotificationEvent) -> bool:
        if delivery.delivery_id in self.deliveries:
            return False
        self.deliveries[delivery.delivery_id] = (delivery, event)
        return True

    def save(self, delivery: Delivery, event: NotificationEvent) -> None:
        self.deliveries[delivery.delivery_id] = (delivery, event)

    def get(self, workspace_id: str | None, delivery_id: str) -> tuple[Delivery, NotificationEvent]:
        if delivery_id not in self.deliveries:
            raise NotFoundError(delivery_id)
        return self.deliveries[delivery_id]

    def list_for_incident(self, workspace_id: str, incident_id: str, limit: int = 200) -> list[Delivery]:
        return [item for item, _ in self.deliveries.values() if item.incident_id == incident_id]

    def list_for_target(self, workspace_id: str, target_kind: str, target_id: str, limit: int = 50) -> list[Delivery]:
        return [item for item, _ in self.deliveries.values() if item.target_id == target_id]

    def list_failed(self, workspace_id: str, limit: int = 50) -> list[Delivery]:
        return [item for item, _ in self.deliveries.values() if item.status is DeliveryStatus.FAILED]

    def _conversation(self, key: str, kind: str, target: str) -> dict[str, object]:
        return self.conversations.setdefault((key, kind, target), {"ref": None, "folded": 0, "pending": False})

    def conversation_ref(self, workspace_id: str, key: str, kind: str, target_id: str) -> str | None:
        ref = self._conversation(key, kind, target_id)["ref"]
        return str(ref) if ref else None

    def remember_conversation(
        self, workspace_id: str, key: str, kind: str, target_id: str, ref: str, now: datetime
    ) -> None:
        conversation = self._conversation(key, kind, target_id)
        conversation["ref"] = conversation["ref"] or ref

    def fold(self, workspace_id: str, key: str, kind: str, target_id: str, now: datetime, count: int = 1) -> bool:
        conversation = self._conversation(key, kind, target_id)
        conversation["folded"] = int(str(conversation["folded"])) + count
        first = not conversation["pending"]
        conversation["pending"] = True
        return first

    def take_folded(self, workspace_id: str, key: str, kind: str, target_id: str) -> int:
        conversation = self._conversation(key, kind, target_id)
        folded = int(str(conversation["folded"]))
        conversation.update(folded=0, pending=False)
        return folded

    def health(self, workspace_id: str, kind: str, target_id: str) -> TargetHealth:
        return self.healths.get((kind, target_id), TargetHealth())

    def save_health(
        self, workspace_id: str, kind: str, target_id: str, health: TargetHealth, last_error: str | None = None
    ) -> None:
        self.healths[(kind, target_id)] = health

    def take_rate(self, workspace_id: str, kind: str, target_id: str, bucket: str, limit: int, now: datetime) -> bool:
        sent = self.rates.get((target_id, bucket), 0)
        if sent >= limit:
            return False
        self.rates[(target_id, bucket)] = sent + 1
        return True


class MemoryQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[QueueMessage, int]] = []
        self.dead: list[tuple[QueueMessage, str]] = []

    def send(self, messages: Sequence[QueueMessage], delay_seconds: int = 0) -> None:
        # Through the wire format, as SQS would carry them.
        self.sent += [(from_body(to_body(message)), delay_seconds) for message in messages]

    def dead_letter(self, message: QueueMessage, reason: str) -> None:
        self.dead.append((message, reason))

    def take(self) -> list[tuple[QueueMessage, int]]:
        taken, self.sent = self.sent, []
        return taken


class ScriptedSender:
    def __init__(self, *results: SendResult) -> None:
        self.results = list(results)
        self.calls: list[tuple[NotificationEvent, str | None]] = []

    def send(self, channel: Channel, event: NotificationEvent, thread: str | None = None) -> SendResult:
        self.calls.append((event, thread))
        return (
            self.results.pop(0) if self.results else SendResult(True, 200, "ok", external_ref=f"ts-{len(self.calls)}")
        )


class Channels:
    def __init__(self, *channels: Channel) -> None:
        self.channels = {channel.id: channel for channel in channels}

    def get_channel(self, workspace_id: str, channel_id: str) -> Channel:
        if channel_id not in self.channels:
            raise NotFoundError(channel_id)
        return self.channels[channel_id]

    def list_channels(self, workspace_id: str) -> list[Channel]:
        return list(self.channels.values())

    def channels_for(self, event: NotificationEvent) -> list[Channel]:
        return list(self.channels.values())


class Senders:
    def __init__(self, sender: ScriptedSender) -> None:
        self.sender = sender

    def for_channel(self, channel: Channel) -> ScriptedSender:
        return self.sender


class NoWebhooks:
    def get_webhook(self, workspace_id: str, webhook_id: str) -> OutgoingWebhook:
        raise NotFoundError(webhook_id)

    def subscribed(self, workspace_id: str, event_name: str) -> list[OutgoingWebhook]:
        return []


class NoIncidents:
    def get(self, workspace_id: str | None, incident_id: str) -> object:
        raise NotFoundError(incident_id)

    def group(self, workspace_id: str | None, incident_id: str) -> dict[str, object]:
        raise NotFoundError(incident_id)


SLACK = Channel("ch-1", "ws", "ops", ChannelType.SLACK, {"webhook_url": "https://hooks.slack.com/x"})


def event(
    incident: str = "inc-1", group: str | None = None, kind: EventType = EventType.INCIDENT_OPENED
) -> NotificationEvent:
    return NotificationEvent(
        event_id=f"{kind.value}:ws:{incident}", event_type=kind, workspace_id="ws", occurred_at=NOW,
        severity="critical", title="Pod crash looping", service="payments", incident_id=incident,
        group_id=group or incident,
    )  # fmt: skip


class Pipeline:
    def __init__(self, *results: SendResult, max_attempts: int = 4, per_minute: int = 30) -> None:
        self.clock = Clock()
        self.records = MemoryRecords()
        self.queue = MemoryQueue()
        self.sender = ScriptedSender(*results)
        channels = Channels(SLACK)
        self.dispatcher = Dispatcher(channels, NoWebhooks(), self.records, self.queue, clock=self.clock)
        self.worker = DeliveryWorker(
            self.dispatcher, self.records, self.queue, channels, Senders(self.sender), NoWebhooks(),
            webhook_sender=None,  # type: ignore[arg-type]
            incidents=NoIncidents(),  # type: ignore[arg-type]
            settings=WorkerSettings(max_attempts=max_attempts, channel_per_minute=per_minute), clock=self.clock,
        )  # fmt: skip

    def run(self) -> list[int]:
        """Work the queue as the delivery function would, the clock moved past each message's delay; the delays."""
        delays = []
        while self.queue.sent:
            for message, delay in self.queue.take():
                delays.append(delay)
                self.clock.now += timedelta(seconds=delay)
                self.worker.handle(message)
        return delays

    def delivery(self) -> Delivery:
        (only,) = [item for item, _ in self.records.deliveries.values()]
        return only


def test_an_event_is_one_delivery_however_often_it_is_handed_over() -> None:
    pipeline = Pipeline()
    pipeline.worker.handle(RouteEvent(event()))
    pipeline.worker.handle(RouteEvent(event()))
    pipeline.run()
    assert len(pipeline.sender.calls) == 1
    assert pipeline.delivery().status is DeliveryStatus.DELIVERED
    assert pipeline.delivery().attempts == 1


def test_a_500_then_a_200_is_retried_after_the_backoff() -> None:
    pipeline = Pipeline(SendResult.from_http(500, b"boom"))
    pipeline.worker.handle(RouteEvent(event()))
    delays = pipeline.run()
    assert len(pipeline.sender.calls) == 2
    assert delays[-1] == pytest.approx(backoff_seconds(1, pipeline.delivery().delivery_id), abs=1)
    delivered = pipeline.delivery()
    assert (delivered.status, delivered.attempts, delivered.last_error) == (DeliveryStatus.DELIVERED, 2, None)


def test_a_429_waits_as_long_as_the_receiver_asked() -> None:
    pipeline = Pipeline(SendResult.from_http(429, b"slow down", retry_after=42))
    pipeline.worker.handle(RouteEvent(event()))
    assert pipeline.run()[-1] == 42
    assert pipeline.delivery().status is DeliveryStatus.DELIVERED


def test_a_receiver_that_stays_down_ends_failed_in_the_dead_letter_queue_and_replays() -> None:
    pipeline = Pipeline(*[SendResult.unreachable("connection refused")] * 4, max_attempts=4)
    pipeline.worker.handle(RouteEvent(event()))
    pipeline.run()
    failed = pipeline.delivery()
    assert (failed.status, failed.attempts, failed.last_error) == (DeliveryStatus.FAILED, 4, "connection refused")
    ((parked, reason),) = pipeline.queue.dead
    assert isinstance(parked, Deliver) and "4 attempts failed" in reason
    pipeline.worker.replay("ws", failed.delivery_id)
    pipeline.clock.now += timedelta(hours=1)  # the circuit the failures opened has cooled down
    pipeline.run()
    assert pipeline.delivery().status is DeliveryStatus.DELIVERED


def test_a_refusal_is_not_retried() -> None:
    pipeline = Pipeline(SendResult.from_http(403, b'{"error":"invalid_token"}'))
    pipeline.worker.handle(RouteEvent(event()))
    pipeline.run()
    assert len(pipeline.sender.calls) == 1
    assert pipeline.delivery().status is DeliveryStatus.FAILED
    assert pipeline.delivery().last_status_code == 403


def test_repeated_failures_open_the_circuit_and_a_success_closes_it() -> None:
    health = TargetHealth()
    for _ in range(CIRCUIT_FAILURES):
        health = health.after_failure(NOW)
    assert health.is_open(NOW) and not health.is_open(NOW + timedelta(minutes=1))
    assert health.after_failure(NOW + timedelta(minutes=1)).is_open(NOW + timedelta(minutes=1))  # the probe failed
    assert health.after_success() == TargetHealth()
    pipeline = Pipeline()
    pipeline.records.healths[("channel", SLACK.id)] = health
    pipeline.worker.handle(RouteEvent(event()))
    ((deliver, _),) = pipeline.queue.take()
    pipeline.worker.handle(deliver)
    ((_waiting, delay),) = pipeline.queue.take()
    assert delay == 30 and not pipeline.sender.calls  # not attempted while open; queued for when it closes
    assert pipeline.delivery().attempts == 0 and "circuit" in (pipeline.delivery().last_error or "")


def test_the_rate_per_minute_holds_the_rest_for_the_next_minute() -> None:
    pipeline = Pipeline(per_minute=2)
    for number in range(3):
        pipeline.worker.handle(RouteEvent(event(f"inc-{number}")))
    first_round = pipeline.queue.take()
    for message, _ in first_round:
        pipeline.worker.handle(message)
    assert len(pipeline.sender.calls) == 2
    ((_, delay),) = pipeline.queue.sent
    assert delay == 60
    pipeline.run()
    assert len(pipeline.sender.calls) == 3


def test_a_storm_is_one_message_per_group_then_one_update_carrying_the_rest() -> None:
    pipeline = Pipeline()
    pipeline.worker.handle(RouteEvent(event("inc-root")))
    pipeline.run()
    for number in range(25):
        pipeline.worker.handle(RouteEvent(event(f"inc-child-{number}", group="inc-root")))
    queued = pipeline.queue.take()
    assert [delay for _, delay in queued] == [GROUP_UPDATE_SECONDS]  # one update queued, the rest folded into it
    for message, _ in queued:
        pipeline.worker.handle(message)
    assert len(pipeline.sender.calls) == 2
    update, thread = pipeline.sender.calls[1]
    assert thread == "ts-1" and update.data["folded_incidents"] == 25


def test_after_failure_prefers_retry_after_and_caps_the_wait() -> None:
    assert after_failure(SendResult.from_http(503, b"", retry_after=10_000), 1, 5, "d").delay_seconds == 600  # type: ignore[union-attr]
    assert after_failure(SendResult.from_http(502, b""), 5, 5, "d").reason == "5 attempts failed"  # type: ignore[union-attr]


def test_a_deleted_channel_fails_its_delivery_without_sending() -> None:
    pipeline = Pipeline()
    pipeline.dispatcher.dispatch(event())  # queued (the worker itself would send it at once)
    ((deliver, _),) = pipeline.queue.take()
    assert isinstance(deliver, Deliver)
    gone = replace(deliver.job, target_id="ch-gone")
    pipeline.worker.handle(Deliver(gone))
    assert not pipeline.sender.calls
    assert pipeline.records.deliveries[gone.delivery_id][0].status is DeliveryStatus.FAILED
    assert pipeline.records.deliveries[gone.delivery_id][0].target_kind is TargetKind.CHANNEL


def test_a_storm_in_one_payload_is_one_queued_event_per_group() -> None:
    from aisre.notifications.model.incident_events import coalesce_openings

    children = [
        replace(event(f"inc-c{n}", group="inc-root"), occurred_at=NOW + timedelta(seconds=n)) for n in range(40)
    ]
    other = [event(f"inc-d{n}", group="inc-other") for n in range(3)]
    coalesced = coalesce_openings([event("inc-root"), *children, *other])
    assert [(item.incident_id, item.data.get("folded_incidents")) for item in coalesced] == [
        ("inc-root", None),
        ("inc-c39", 40),
        ("inc-d0", 3),
    ]
    pipeline = Pipeline()
    pipeline.worker.handle(RouteEvent(coalesced[0]))
    pipeline.run()
    pipeline.worker.handle(RouteEvent(coalesced[1]))
    pipeline.run()
    assert pipeline.sender.calls[-1][0].data["folded_incidents"] == 40


def test_the_worker_sends_an_events_deliveries_at_once_and_queues_one_whose_store_failed() -> None:
    pipeline = Pipeline()
    pipeline.worker.handle(RouteEvent(event()))
    assert len(pipeline.sender.calls) == 1 and not pipeline.queue.sent  # no trip through the queue

    class BrokenHealth(MemoryRecords):
        def health(self, workspace_id: str, kind: str, target_id: str) -> TargetHealth:
            raise OSError("the table is unreachable")

    broken = Pipeline()
    broken.records.__class__ = BrokenHealth
    broken.worker.handle(RouteEvent(event()))
    ((queued, delay),) = broken.queue.take()
    assert isinstance(queued, Deliver) and delay == 0 and not broken.sender.calls

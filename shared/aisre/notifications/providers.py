"""The notifications' parts, each built on first ask (core/scope.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table
from aisre.core.scope import Scope
from aisre.incidents.providers import incident_service

if TYPE_CHECKING:
    from aisre.notifications.adapters.sqs_queue import SqsNotificationQueue
    from aisre.notifications.service.delivery import DeliveryWorker
    from aisre.notifications.service.dispatch import Dispatcher
    from aisre.notifications.service.test_notifications import NotificationTester
    from aisre.notifications.store.delivery_store import DynamoDeliveryStore


# The delivery pipeline -----------------------------------------------------------------------------------------


def notification_queue(scope: Scope) -> SqsNotificationQueue | None:
    """The queue deliveries leave the request through; None when the stack has none (notifications off)."""
    from aisre.notifications.adapters.sqs_queue import SqsNotificationQueue

    settings = scope.settings
    if not settings.notification_queue_url:
        return None
    return SqsNotificationQueue(
        settings.notification_queue_url,
        settings.notification_dead_letter_queue_url,
        settings.aws_region,
        settings.aws_endpoint_url,
    )


def delivery_records(scope: Scope) -> DynamoDeliveryStore:
    from aisre.notifications.store.delivery_store import DynamoDeliveryStore

    scope.get(configured_table)
    return DynamoDeliveryStore(retention=timedelta(days=scope.settings.notification_retention_days))


def dispatcher(scope: Scope) -> Dispatcher:
    from aisre.core.errors import StorageError
    from aisre.notifications.service.dispatch import Dispatcher

    queue = scope.get(notification_queue)
    if queue is None:
        raise StorageError("NOTIFICATION_QUEUE_URL is not set: notifications cannot be queued")
    return Dispatcher(
        scope.get(routing_service),
        scope.get(webhook_lookup),
        scope.get(delivery_records),
        queue,
        inbox=scope.get(inbox),
        oncall=scope.get(oncall_responders),
        triggers=scope.get(trigger_service),
        escalation=scope.get(escalation_service),
    )


def delivery_worker(scope: Scope) -> DeliveryWorker:
    from aisre.notifications.service.delivery import DeliveryWorker, WorkerSettings

    settings = scope.settings
    queue = scope.get(notification_queue)
    assert queue is not None  # dispatcher() refused already
    return DeliveryWorker(
        scope.get(dispatcher),
        scope.get(delivery_records),
        queue,
        scope.get(channel_lookup),
        scope.get(senders),
        scope.get(webhook_lookup),
        scope.get(webhook_sender),
        scope.get(incident_service),
        WorkerSettings(
            max_attempts=settings.notification_max_attempts,
            channel_per_minute=settings.notification_channel_per_minute,
            public_base_url=settings.public_base_url,
        ),
    )


def notification_tester(scope: Scope) -> NotificationTester:
    from aisre.notifications.service.test_notifications import NotificationTester

    return NotificationTester(
        scope.get(routing_service), scope.get(channel_lookup), scope.get(senders), scope.get(oncall_responders)
    )

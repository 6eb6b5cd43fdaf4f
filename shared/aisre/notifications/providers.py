"""The notifications' parts, each built on first ask (core/scope.py)."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.notifications.ports import (
        ChannelLookup,
        DeliveryQueue,
        DeliveryRecords,
        TriggerActions,
        TriggerStore,
        UrlGuard,
        WebhookLookup,
        WebhookSender,
        WebhookStore,
    )
    from aisre.notifications.service.triggers import TriggerService
    from aisre.notifications.service.webhooks import WebhookService


# -- Outgoing webhooks and triggers --------------------------------------------------------------------------------


def webhook_store(scope: Scope) -> WebhookStore:
    from aisre.notifications.store.webhook_store import DynamoWebhookStore

    scope.get(configured_table)
    return DynamoWebhookStore()


def trigger_store(scope: Scope) -> TriggerStore:
    from aisre.notifications.store.trigger_store import DynamoTriggerStore

    scope.get(configured_table)
    return DynamoTriggerStore()


def delivery_records(scope: Scope) -> DeliveryRecords:
    """The delivery records (an incident's notifications, a webhook's deliveries)."""
    from aisre.notifications.store.delivery_store import DynamoDeliveryRecords

    scope.get(configured_table)
    return DynamoDeliveryRecords(retention=timedelta(days=scope.settings.notification_retention_days))


def webhook_url_guard(scope: Scope) -> UrlGuard:
    from aisre.notifications.adapters.address_guard import ResolvingUrlGuard

    return ResolvingUrlGuard(allow_private=scope.settings.outbound_allow_private_networks)


def webhook_sender(scope: Scope) -> WebhookSender:
    """The Standard Webhooks sender over the guarded outbound client (adapters/senders/webhook.py)."""
    from aisre.notifications.adapters.outbound import GuardedHttp

    # By name: the sender is written beside this part (issue #13), and this module must import without it.
    module = import_module("aisre.notifications.adapters.senders.webhook")
    sender_class = getattr(module, "StandardWebhookSender", None) or module.SignedWebhookSender
    sender: WebhookSender = sender_class(GuardedHttp(allow_private=scope.settings.outbound_allow_private_networks))
    return sender


def webhook_service(scope: Scope) -> WebhookService:
    from aisre.notifications.service.webhooks import WebhookService

    return WebhookService(
        scope.get(webhook_store),
        scope.get(webhook_url_guard),
        scope.get(delivery_records),
        lambda: scope.get(webhook_sender),
        allow_http=scope.settings.outbound_allow_private_networks,
    )


def webhook_lookup(scope: Scope) -> WebhookLookup:
    """ports.WebhookLookup for the delivery pipeline: a webhook with its secret; the ones subscribed to an event."""
    return scope.get(webhook_service)


def trigger_channels(scope: Scope) -> ChannelLookup | None:
    """The channels a trigger's notify action names: the routing part's ChannelLookup, once it is wired here (none
    until then: every channel id is then unknown, a 422)."""
    return None


def trigger_deliveries(scope: Scope) -> DeliveryQueue | None:
    """Where a trigger's notify action queues its delivery: the delivery pipeline's queue, once it is wired here."""
    return None


def trigger_actions(scope: Scope) -> TriggerActions:
    """What triggers do, through the other parts; each is built when an action first needs it."""
    from aisre.investigations.providers import investigation_queue
    from aisre.notifications.adapters.trigger_actions import PlatformTriggerActions
    from aisre.workflows.providers import run_service, workflow_service

    return PlatformTriggerActions(
        channels=lambda: scope.get(trigger_channels),
        deliveries=lambda: scope.get(trigger_deliveries),
        investigations=lambda: scope.get(investigation_queue),
        workflows=lambda: scope.get(workflow_service),
        runs=lambda: scope.get(run_service),
    )


def trigger_service(scope: Scope) -> TriggerService:
    """The triggers' CRUD, and `on_event` for the dispatcher."""
    from aisre.notifications.service.triggers import TriggerService

    return TriggerService(
        scope.get(trigger_store),
        scope.get(trigger_actions),
        retention=timedelta(days=scope.settings.notification_retention_days),
    )

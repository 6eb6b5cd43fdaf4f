"""WebhookService: a workspace's outgoing webhooks (seed 002 /api/v1/webhooks), created with a signing secret that
is shown once, changed, deleted and tested; and ports.WebhookLookup for the delivery pipeline (a webhook with its
secret; the enabled webhooks subscribed to an event, remembered for a few seconds)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from aisre.core.clock import utc_now
from aisre.core.errors import AisreError
from aisre.notifications.model.delivery import Delivery, DeliveryStatus, SendResult, TargetKind
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.webhooks import (
    GENERATED_SECRET_BYTES,
    OutgoingWebhook,
    check_events,
    check_secret,
    check_webhook_url,
    encode_secret,
)
from aisre.notifications.ports import DeliveryRecords, UrlGuard, WebhookSender, WebhookStore
from aisre.notifications.service.hooks_bounds import check_room
from aisre.notifications.service.hooks_cache import RecentCache

# A workspace's webhooks are read whole on every event (subscribed): a bound keeps that one small Query.
MAX_WEBHOOKS = 100
LOOKUP_SECONDS = 5.0


def new_webhook_id() -> str:
    return f"whk-{secrets.token_hex(6)}"


def new_delivery_id() -> str:
    return f"dlv-{secrets.token_hex(8)}"


def generate_secret() -> str:
    return encode_secret(secrets.token_bytes(GENERATED_SECRET_BYTES))


@dataclass(frozen=True)
class WebhookChanges:
    """A PUT's fields; None leaves a field as it is."""

    url: str | None = None
    events: Sequence[str] | None = None
    secret: str | None = None
    description: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class TestSent:
    delivery: Delivery
    result: SendResult


class WebhookService:
    def __init__(
        self,
        store: WebhookStore,
        guard: UrlGuard,
        deliveries: DeliveryRecords,
        sender: Callable[[], WebhookSender],
        *,
        allow_http: bool,
        clock: Callable[[], datetime] = utc_now,
        lookup_seconds: float = LOOKUP_SECONDS,
    ):
        self._store = store
        self._guard = guard
        self._deliveries = deliveries
        # Built when a test is first sent: reading and changing webhooks loads no sender.
        self._sender = sender
        self._allow_http = allow_http
        self._clock = clock
        self._subscribers: RecentCache[list[OutgoingWebhook]] = RecentCache(lookup_seconds)

    # -- the API ---------------------------------------------------------------------------------------------------

    def create(
        self,
        workspace_id: str,
        principal: str,
        *,
        url: str,
        events: Sequence[str],
        secret: str | None = None,
        description: str | None = None,
        enabled: bool = True,
    ) -> OutgoingWebhook:
        """The webhook, with its secret (the only answer that shows it): the client's, checked, or a new one."""
        checked_url = check_webhook_url(url, allow_http=self._allow_http)
        names = check_events(events)
        signing = check_secret(secret) if secret is not None else generate_secret()
        self._guard.check(checked_url)
        check_room(self._store.list_webhooks(workspace_id, MAX_WEBHOOKS), MAX_WEBHOOKS, "webhooks")
        now = self._clock()
        webhook = OutgoingWebhook(
            id=new_webhook_id(),
            workspace_id=workspace_id,
            url=checked_url,
            events=names,
            secret=signing,
            enabled=enabled,
            description=description or None,
            created_at=now,
            updated_at=now,
            created_by=principal,
        )
        self._store.create_webhook(webhook)
        self._subscribers.forget(workspace_id)
        return webhook

    def list_webhooks(self, workspace_id: str | None) -> list[OutgoingWebhook]:
        return self._store.list_webhooks(workspace_id, MAX_WEBHOOKS)

    def get(self, workspace_id: str | None, webhook_id: str) -> OutgoingWebhook:
        return self._store.get_webhook(workspace_id, webhook_id)

    def update(self, workspace_id: str | None, webhook_id: str, changes: WebhookChanges) -> OutgoingWebhook:
        current = self._store.get_webhook(workspace_id, webhook_id)
        updated = current
        if changes.url is not None and changes.url != current.url:
            url = check_webhook_url(changes.url, allow_http=self._allow_http)
            updated = replace(updated, url=url)
        if changes.events is not None:
            updated = replace(updated, events=check_events(changes.events))
        if changes.secret is not None:
            updated = replace(updated, secret=check_secret(changes.secret))
        if changes.description is not None:
            updated = replace(updated, description=changes.description or None)
        if changes.enabled is not None:
            updated = replace(updated, enabled=changes.enabled)
        if updated.url != current.url:
            self._guard.check(updated.url)
        updated = replace(updated, updated_at=self._clock(), version=current.version + 1)
        self._store.replace_webhook(updated, current.version)
        self._subscribers.forget(current.workspace_id)
        return updated

    def delete(self, workspace_id: str | None, webhook_id: str) -> OutgoingWebhook:
        webhook = self._store.get_webhook(workspace_id, webhook_id)
        self._store.delete_webhook(webhook)
        self._subscribers.forget(webhook.workspace_id)
        return webhook

    def send_test(self, workspace_id: str | None, webhook_id: str) -> TestSent:
        """A test event (notification.test) sent now, signed as every delivery is, whatever the webhook subscribes
        to and even when it is disabled; the attempt is recorded among its deliveries."""
        webhook = self._store.get_webhook(workspace_id, webhook_id)
        now = self._clock()
        delivery_id = new_delivery_id()
        event = NotificationEvent(
            event_id=f"evt-{secrets.token_hex(8)}",
            event_type=EventType.TEST,
            workspace_id=webhook.workspace_id,
            occurred_at=now,
            severity="info",
            title="Test event from aisre",
            summary=f"A test delivery to webhook {webhook.id}: if it reached you, deliveries will too.",
            data={"webhook_id": webhook.id, "test": True},
        )
        try:
            result = self._sender().send(webhook, event, delivery_id)
        except AisreError as error:  # refused before sending (an address the settings forbid)
            result = SendResult.refused(error.message)
        except OSError as error:
            result = SendResult.unreachable(f"{type(error).__name__}: {error}")
        delivery = Delivery(
            delivery_id=delivery_id,
            workspace_id=webhook.workspace_id,
            target_kind=TargetKind.WEBHOOK,
            target_id=webhook.id,
            target_name=webhook.description or urlsplit(webhook.url).hostname or webhook.id,
            target_type="webhook",
            event_type=event.event_type.value,
            event_id=event.event_id,
            incident_id=None,
            status=DeliveryStatus.DELIVERED if result.ok else DeliveryStatus.FAILED,
            attempts=1,
            created_at=now,
            updated_at=self._clock(),
            last_status_code=result.status_code,
            last_error=None if result.ok else (result.detail or "the receiver did not take it"),
        )
        self._deliveries.save(delivery, event)
        return TestSent(delivery, result)

    def deliveries(
        self, workspace_id: str | None, webhook_id: str, limit: int
    ) -> tuple[OutgoingWebhook, list[Delivery]]:
        webhook = self._store.get_webhook(workspace_id, webhook_id)
        return webhook, self._deliveries.list_for_target(
            webhook.workspace_id, TargetKind.WEBHOOK.value, webhook.id, limit
        )

    # -- ports.WebhookLookup ---------------------------------------------------------------------------------------

    def get_webhook(self, workspace_id: str, webhook_id: str) -> OutgoingWebhook:
        return self._store.get_webhook(workspace_id, webhook_id)

    def subscribed(self, workspace_id: str, event_name: str) -> Sequence[OutgoingWebhook]:
        """The enabled webhooks that want `event_name`; the workspace's list is remembered a few seconds."""
        webhooks = self._subscribers.get(workspace_id, lambda: self._store.list_webhooks(workspace_id, MAX_WEBHOOKS))
        return [webhook for webhook in webhooks if webhook.wants(event_name)]

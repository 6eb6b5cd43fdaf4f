"""WebhookStore on DynamoDB: a workspace's outgoing webhooks, each one item (listed per workspace on gsi1, found
by id on gsi3), changed under a version so that two editors cannot lose a change."""

from __future__ import annotations

from aisre.core.table.by_id import get_item
from aisre.core.table.conditional import create_new, delete_existing, replace_if_version
from aisre.core.table.listing import list_newest
from aisre.notifications.model.webhooks import OutgoingWebhook
from aisre.notifications.store import hooks_keys as keys
from aisre.notifications.store.hooks_records import WebhookRecord


def _from_record(record: WebhookRecord) -> OutgoingWebhook:
    return OutgoingWebhook(
        id=record.webhook_id,
        workspace_id=record.workspace_id,
        url=record.url,
        events=tuple(record.events or ()),
        secret=record.secret,
        enabled=bool(record.enabled),
        description=record.description,
        created_at=record.created_at,
        updated_at=record.updated_at,
        created_by=record.created_by,
        version=int(record.version or 1),
    )


def _to_record(webhook: OutgoingWebhook) -> WebhookRecord:
    assert webhook.created_at is not None
    return WebhookRecord(
        **keys.WEBHOOKS.of_item(webhook.workspace_id, webhook.id, webhook.created_at),
        webhook_id=webhook.id,
        workspace_id=webhook.workspace_id,
        url=webhook.url,
        events=list(webhook.events),
        secret=webhook.secret,
        enabled=webhook.enabled,
        description=webhook.description,
        created_by=webhook.created_by,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at or webhook.created_at,
        version=webhook.version,
    )


class DynamoWebhookStore:
    def create_webhook(self, webhook: OutgoingWebhook) -> None:
        create_new(_to_record(webhook), kind="webhook", item_id=webhook.id)

    def get_webhook(self, workspace_id: str | None, webhook_id: str) -> OutgoingWebhook:
        record = get_item(WebhookRecord, workspace_id, keys.WEBHOOKS, webhook_id, kind="webhook", field="webhook_id")
        return _from_record(record)

    def list_webhooks(self, workspace_id: str | None, limit: int) -> list[OutgoingWebhook]:
        return [_from_record(record) for record in list_newest(WebhookRecord, workspace_id, keys.WEBHOOKS, limit)]

    def replace_webhook(self, webhook: OutgoingWebhook, read_version: int) -> None:
        replace_if_version(
            _to_record(webhook),
            WebhookRecord.version,
            read_version,
            kind="webhook",
            item_id=webhook.id,
            field="webhook_id",
        )

    def delete_webhook(self, webhook: OutgoingWebhook) -> None:
        record = WebhookRecord(pk=keys.WEBHOOKS.pk(webhook.workspace_id, webhook.id), sk=keys.META)
        delete_existing(record, kind="webhook", item_id=webhook.id, field="webhook_id")

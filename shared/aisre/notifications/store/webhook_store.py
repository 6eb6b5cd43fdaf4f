"""WebhookStore on DynamoDB: a workspace's outgoing webhooks, each one item (listed per workspace on gsi1, found
by id on gsi3), changed under a version so that two editors cannot lose a change."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from aisre.core.errors import ConflictError, NotFoundError, StorageError
from aisre.core.table.by_id import get_by_id
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
    listed = keys.listed(webhook.created_at, webhook.id)
    return WebhookRecord(
        pk=keys.webhook_pk(webhook.workspace_id, webhook.id),
        sk=keys.META,
        gsi1pk=keys.workspace_webhooks(webhook.workspace_id),
        gsi1sk=listed,
        gsi2pk=keys.ALL_WEBHOOKS,
        gsi2sk=listed,
        gsi3pk=keys.webhook_id_key(webhook.id),
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


def _condition_failed(error: PutError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class DynamoWebhookStore:
    def create_webhook(self, webhook: OutgoingWebhook) -> None:
        try:
            _to_record(webhook).save(condition=WebhookRecord.pk.does_not_exist())
        except PutError as error:
            if _condition_failed(error):
                raise ConflictError(f"webhook {webhook.id} exists already") from error
            raise StorageError("storing the webhook failed") from error

    def get_webhook(self, workspace_id: str | None, webhook_id: str) -> OutgoingWebhook:
        record = get_by_id(
            WebhookRecord,
            workspace_id,
            id_key=keys.webhook_id_key(webhook_id),
            key=lambda workspace: (keys.webhook_pk(workspace, webhook_id), keys.META),
            what=f"webhook {webhook_id}",
            field="webhook_id",
        )
        return _from_record(record)

    def list_webhooks(self, workspace_id: str | None, limit: int) -> list[OutgoingWebhook]:
        if workspace_id is not None:
            results = WebhookRecord.by_workspace.query(
                keys.workspace_webhooks(workspace_id), scan_index_forward=False, limit=limit, page_size=limit
            )
        else:
            results = WebhookRecord.across_workspaces.query(
                keys.ALL_WEBHOOKS, scan_index_forward=False, limit=limit, page_size=limit
            )
        return [_from_record(record) for record in results]

    def replace_webhook(self, webhook: OutgoingWebhook, read_version: int) -> None:
        try:
            _to_record(webhook).save(condition=WebhookRecord.version == read_version)
        except PutError as error:
            if _condition_failed(error):
                raise ConflictError(
                    f"webhook {webhook.id} was changed or deleted meanwhile; read it and try again", field="webhook_id"
                ) from error
            raise StorageError("storing the webhook failed") from error

    def delete_webhook(self, webhook: OutgoingWebhook) -> None:
        record = WebhookRecord(pk=keys.webhook_pk(webhook.workspace_id, webhook.id), sk=keys.META)
        try:
            record.delete(condition=WebhookRecord.pk.exists())
        except DeleteError as error:
            if _condition_failed(error):
                raise NotFoundError(f"webhook {webhook.id} not found", field="webhook_id") from error
            raise StorageError("deleting the webhook failed") from error

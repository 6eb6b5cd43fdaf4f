"""ReceiptStore on DynamoDB: the answer given to each provider delivery id, kept for the redelivery window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aisre.alerts.store import keys
from aisre.alerts.store.records import WebhookReceiptRecord


class DynamoReceiptStore:
    def get(self, workspace_id: str, provider: str, delivery_id: str) -> dict[str, Any] | None:
        try:
            record = WebhookReceiptRecord.get(
                keys.receipt_pk(workspace_id, provider, delivery_id), keys.RECEIPT_SK, consistent_read=True
            )
        except WebhookReceiptRecord.DoesNotExist:
            return None
        response: dict[str, Any] = record.response
        return response

    def put(
        self, workspace_id: str, provider: str, delivery_id: str, response: dict[str, Any], retention_days: int
    ) -> None:
        WebhookReceiptRecord(
            pk=keys.receipt_pk(workspace_id, provider, delivery_id),
            sk=keys.RECEIPT_SK,
            response=response,
            received_at=datetime.now(UTC),
            ttl=timedelta(days=retention_days),
        ).save()

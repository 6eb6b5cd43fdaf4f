"""DeliveryRecords on DynamoDB: one item per delivery (an event to a channel or an outgoing webhook), rewritten as
its attempts go. An incident's deliveries sit in the incident's partition (one Query lists them, as its approvals
and runs); every delivery is listed per target on gsi1 (a webhook's deliveries). They age out with the other
notification records (NOTIFICATION_RETENTION_DAYS)."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from aisre.core.errors import StorageError
from aisre.core.table.keys import stamp
from aisre.core.table.records import ListedRecord, WorkspaceIndex
from aisre.notifications.model.delivery import Delivery, DeliveryStatus, TargetKind

PREFIX = "DLV#"


class DeliveryRecord(ListedRecord):
    by_workspace = WorkspaceIndex["DeliveryRecord"]()

    delivery_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    target_kind = UnicodeAttribute()
    target_id = UnicodeAttribute()
    target_name = UnicodeAttribute()
    target_type = UnicodeAttribute()
    event_type = UnicodeAttribute()
    event_id = UnicodeAttribute()
    incident_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True)


def delivery_pk(delivery: Delivery) -> str:
    if delivery.incident_id:
        return f"WS#{delivery.workspace_id}#INC#{delivery.incident_id}"
    return f"WS#{delivery.workspace_id}#DLV#{delivery.delivery_id}"


def delivery_sk(delivery: Delivery) -> str:
    return f"{PREFIX}{stamp(delivery.created_at)}#{delivery.delivery_id}"


def target_deliveries(workspace_id: str, kind: TargetKind | str, target_id: str) -> str:
    return f"WS#{workspace_id}#DLV#{TargetKind(kind).value}#{target_id}"


def _from_record(record: DeliveryRecord) -> Delivery:
    return Delivery(
        delivery_id=record.delivery_id,
        workspace_id=record.workspace_id,
        target_kind=TargetKind(record.target_kind),
        target_id=record.target_id,
        target_name=record.target_name,
        target_type=record.target_type,
        event_type=record.event_type,
        event_id=record.event_id,
        incident_id=record.incident_id,
        status=DeliveryStatus(record.status),
        attempts=int(record.attempts or 0),
        created_at=record.created_at,
        updated_at=record.updated_at,
        last_status_code=int(record.last_status_code) if record.last_status_code is not None else None,
        last_error=record.last_error,
        next_attempt_at=record.next_attempt_at,
    )


class DynamoDeliveryRecords:
    def __init__(self, retention: timedelta):
        self._retention = retention

    def record(self, delivery: Delivery) -> None:
        self._put(delivery)

    def update(self, delivery: Delivery) -> None:
        # The whole item again: its key follows from the delivery, and every field it shows is on it.
        self._put(delivery)

    def list_for_incident(self, workspace_id: str, incident_id: str, limit: int = 50) -> list[Delivery]:
        results = DeliveryRecord.query(
            f"WS#{workspace_id}#INC#{incident_id}",
            DeliveryRecord.sk.startswith(PREFIX),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
        return [_from_record(record) for record in results]

    def list_for_target(self, workspace_id: str, kind: TargetKind, target_id: str, limit: int = 50) -> list[Delivery]:
        results = DeliveryRecord.by_workspace.query(
            target_deliveries(workspace_id, kind, target_id), scan_index_forward=False, limit=limit, page_size=limit
        )
        return [_from_record(record) for record in results]

    def _put(self, delivery: Delivery) -> None:
        record = DeliveryRecord(
            pk=delivery_pk(delivery),
            sk=delivery_sk(delivery),
            gsi1pk=target_deliveries(delivery.workspace_id, delivery.target_kind, delivery.target_id),
            gsi1sk=f"{stamp(delivery.created_at)}#{delivery.delivery_id}",
            delivery_id=delivery.delivery_id,
            workspace_id=delivery.workspace_id,
            target_kind=delivery.target_kind.value,
            target_id=delivery.target_id,
            target_name=delivery.target_name,
            target_type=delivery.target_type,
            event_type=delivery.event_type,
            event_id=delivery.event_id,
            incident_id=delivery.incident_id,
            status=delivery.status.value,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            updated_at=delivery.updated_at,
            last_status_code=delivery.last_status_code,
            last_error=(delivery.last_error or "")[:1000] or None,
            next_attempt_at=delivery.next_attempt_at,
            ttl=delivery.created_at + self._retention,
        )
        try:
            record.save()
        except PutError as error:
            raise StorageError("recording the delivery failed") from error

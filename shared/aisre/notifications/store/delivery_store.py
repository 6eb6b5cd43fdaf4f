"""DeliveryStore on DynamoDB: delivery records (created once per event and target, whatever the redeliveries),
conversations, and each target's circuit and per-minute counts, all by conditional writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from aisre.core.errors import NotFoundError
from aisre.notifications.model.delivery import Delivery, DeliveryStatus, TargetKind
from aisre.notifications.model.delivery_policy import TargetHealth
from aisre.notifications.model.events import NotificationEvent
from aisre.notifications.store import delivery_keys as keys
from aisre.notifications.store.delivery_records import ConversationRecord, DeliveryRecord, TargetHealthRecord


def _condition_failed(error: PutError | UpdateError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def _delivery(record: DeliveryRecord) -> Delivery:
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


class DynamoDeliveryStore:
    def __init__(self, retention: timedelta):
        self._retention = retention

    # Deliveries -------------------------------------------------------------------------------------------------

    def begin(self, delivery: Delivery, event: NotificationEvent) -> bool:
        """Record a new delivery; False when it exists already (the event was handed over before)."""
        record = self._record(delivery, event)
        try:
            record.save(condition=DeliveryRecord.pk.does_not_exist())
        except PutError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def save(self, delivery: Delivery, event: NotificationEvent) -> None:
        self._record(delivery, event).save()

    def get(self, workspace_id: str | None, delivery_id: str) -> tuple[Delivery, NotificationEvent]:
        """NotFoundError when it is not in the workspaces the caller sees (None: every one)."""
        for found in DeliveryRecord.by_id.query(keys.delivery_id_key(delivery_id), limit=1):
            try:
                record = DeliveryRecord.get(found.pk, found.sk, consistent_read=True)
            except DoesNotExist:
                break
            if workspace_id is not None and record.workspace_id != workspace_id:
                break
            return _delivery(record), NotificationEvent.from_dict(record.event)
        raise NotFoundError(f"no delivery {delivery_id}", field="delivery_id")

    def list_for_incident(self, workspace_id: str, incident_id: str, limit: int = 200) -> list[Delivery]:
        records = DeliveryRecord.query(
            keys.deliveries_pk(workspace_id, incident_id),
            DeliveryRecord.sk.startswith(keys.DELIVERY_PREFIX),
            limit=limit,
        )
        return sorted((_delivery(record) for record in records), key=lambda item: item.created_at)

    def list_for_target(self, workspace_id: str, target_kind: str, target_id: str, limit: int = 50) -> list[Delivery]:
        records = DeliveryRecord.by_target.query(
            keys.target_deliveries(workspace_id, target_kind, target_id), scan_index_forward=False, limit=limit
        )
        return [_delivery(record) for record in records]

    def list_failed(self, workspace_id: str, limit: int = 50) -> list[Delivery]:
        records = DeliveryRecord.failed.query(
            keys.failed_deliveries(workspace_id), scan_index_forward=False, limit=limit
        )
        return [_delivery(record) for record in records]

    def _record(self, delivery: Delivery, event: NotificationEvent) -> DeliveryRecord:
        failed = delivery.status is DeliveryStatus.FAILED
        return DeliveryRecord(
            pk=keys.deliveries_pk(delivery.workspace_id, delivery.incident_id),
            sk=keys.delivery_sk(delivery.delivery_id),
            gsi1pk=keys.target_deliveries(delivery.workspace_id, delivery.target_kind.value, delivery.target_id),
            gsi1sk=keys.listed(delivery.created_at, delivery.delivery_id),
            gsi2pk=keys.failed_deliveries(delivery.workspace_id) if failed else None,
            gsi2sk=keys.listed(delivery.updated_at, delivery.delivery_id) if failed else None,
            gsi3pk=keys.delivery_id_key(delivery.delivery_id),
            delivery_id=delivery.delivery_id,
            workspace_id=delivery.workspace_id,
            incident_id=delivery.incident_id,
            target_kind=delivery.target_kind.value,
            target_id=delivery.target_id,
            target_name=delivery.target_name,
            target_type=delivery.target_type,
            event_type=delivery.event_type,
            event_id=delivery.event_id,
            event=event.to_dict(),
            status=delivery.status.value,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            updated_at=delivery.updated_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            ttl=delivery.created_at + self._retention,
        )

    # Conversations ----------------------------------------------------------------------------------------------

    def conversation_ref(self, workspace_id: str, conversation_key: str, kind: str, target_id: str) -> str | None:
        try:
            record = ConversationRecord.get(
                keys.conversation_pk(workspace_id, conversation_key),
                keys.conversation_sk(kind, target_id),
                consistent_read=True,
            )
        except DoesNotExist:
            return None
        ref: str | None = record.external_ref
        return ref

    def remember_conversation(
        self, workspace_id: str, conversation_key: str, kind: str, target_id: str, external_ref: str, now: datetime
    ) -> None:
        """Keep the first message's reference (the first writer's: a retried first message keeps the one sent)."""
        self._conversation(workspace_id, conversation_key, kind, target_id).update(
            actions=[
                ConversationRecord.external_ref.set(ConversationRecord.external_ref | external_ref),
                ConversationRecord.started_at.set(ConversationRecord.started_at | now),
                ConversationRecord.ttl.set(now + self._retention),
            ]
        )

    def fold(
        self, workspace_id: str, conversation_key: str, kind: str, target_id: str, now: datetime, count: int = 1
    ) -> bool:
        """Count `count` more incidents folded into the conversation's next update; True when these are the first
        since the last update (their caller queues the update; later ones ride on it)."""
        record = self._conversation(workspace_id, conversation_key, kind, target_id)
        actions: list[Any] = [ConversationRecord.folded.add(count), ConversationRecord.ttl.set(now + self._retention)]
        try:
            record.update(
                actions=[*actions, ConversationRecord.update_pending.set(True)],
                condition=ConversationRecord.update_pending.does_not_exist()
                | (ConversationRecord.update_pending == False),  # noqa: E712 (a DynamoDB condition, not a test)
            )
        except UpdateError as error:
            if not _condition_failed(error):
                raise
            record.update(actions=actions)
            return False
        return True

    def take_folded(self, workspace_id: str, conversation_key: str, kind: str, target_id: str) -> int:
        """The events folded since the last update, and the conversation open for the next fold."""
        record = self._conversation(workspace_id, conversation_key, kind, target_id)
        try:
            record.refresh(consistent_read=True)
        except DoesNotExist:
            return 0
        folded = int(record.folded or 0)
        record.update(actions=[ConversationRecord.folded.add(-folded), ConversationRecord.update_pending.set(False)])
        return folded

    def _conversation(self, workspace_id: str, conversation_key: str, kind: str, target_id: str) -> ConversationRecord:
        return ConversationRecord(
            pk=keys.conversation_pk(workspace_id, conversation_key), sk=keys.conversation_sk(kind, target_id)
        )

    # Targets' health and rates ----------------------------------------------------------------------------------

    def health(self, workspace_id: str, kind: str, target_id: str) -> TargetHealth:
        try:
            record = TargetHealthRecord.get(keys.target_pk(workspace_id, kind, target_id), keys.HEALTH)
        except DoesNotExist:
            return TargetHealth()
        return TargetHealth(int(record.failures or 0), record.open_until, int(record.times_opened or 0))

    def save_health(
        self, workspace_id: str, kind: str, target_id: str, health: TargetHealth, last_error: str | None = None
    ) -> None:
        TargetHealthRecord(
            pk=keys.target_pk(workspace_id, kind, target_id),
            sk=keys.HEALTH,
            failures=health.failures,
            open_until=health.open_until,
            times_opened=health.times_opened,
            last_error=last_error,
        ).save()

    def take_rate(self, workspace_id: str, kind: str, target_id: str, bucket: str, limit: int, now: datetime) -> bool:
        """One more send in the target's minute `bucket`, unless `limit` were sent already (False)."""
        record = TargetHealthRecord(pk=keys.target_pk(workspace_id, kind, target_id), sk=keys.rate_sk(bucket))
        try:
            record.update(
                actions=[TargetHealthRecord.sent.add(1), TargetHealthRecord.ttl.set(now + timedelta(minutes=10))],
                condition=TargetHealthRecord.sent.does_not_exist() | (TargetHealthRecord.sent < limit),
            )
        except UpdateError as error:
            if _condition_failed(error):
                return False
            raise
        return True

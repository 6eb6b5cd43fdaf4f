"""InboxStore on DynamoDB: a principal's in-app notifications in one partition of its workspace, newest first by
id; an unread item is also listed on gsi1 (sparse), so the unread count reads only unread items; "read all" is one
write of a boundary id."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError, NotFoundError, StorageError
from aisre.notifications.model.inbox import ID_PREFIX, InboxItem
from aisre.notifications.store import routing_keys as keys
from aisre.notifications.store.routing_records import InboxEventRecord, InboxReadMarkRecord, InboxRecord
from aisre.notifications.store.transactions import commit


def _from_record(record: InboxRecord) -> InboxItem:
    return InboxItem(
        id=record.item_id,
        workspace_id=record.workspace_id,
        principal=record.principal,
        event_id=record.event_id,
        event_type=record.event_type,
        title=record.title,
        severity=record.severity,
        created_at=record.created_at,
        message=record.message,
        service=record.service,
        incident_id=record.incident_id,
        link=record.link,
        read_at=record.read_at,
    )


def _live(now: datetime) -> Condition:
    # TTL deletes expired items within a day or two, not at once: until then they are skipped here.
    return InboxRecord.ttl.does_not_exist() | (InboxRecord.ttl > now)


class DynamoInboxStore:
    def __init__(self, connection: Connection):
        self._connection = connection

    def add(self, item: InboxItem, expires_at: datetime) -> bool:
        pk = keys.inbox_pk(item.workspace_id, item.principal)
        event_key = hashlib.sha256(item.event_id.encode()).hexdigest()[:32]
        claim = InboxEventRecord(pk=pk, sk=keys.inbox_event_sk(event_key), item_id=item.id, ttl=expires_at)
        record = InboxRecord(
            pk=pk,
            sk=item.id,
            gsi1pk=keys.unread_listing(item.workspace_id, item.principal),
            gsi1sk=item.id,
            item_id=item.id,
            workspace_id=item.workspace_id,
            principal=item.principal,
            event_id=item.event_id,
            event_type=item.event_type,
            title=item.title,
            severity=item.severity,
            message=item.message,
            service=item.service,
            incident_id=item.incident_id,
            link=item.link,
            created_at=item.created_at,
            ttl=expires_at,
        )

        def build(transaction: TransactWrite) -> None:
            transaction.save(claim, condition=InboxEventRecord.pk.does_not_exist())
            transaction.save(record, condition=InboxRecord.pk.does_not_exist())

        try:
            commit(self._connection, build, ConflictError("held already"), "storing the notification")
        except ConflictError:
            return False
        return True

    def list_items(
        self, workspace_id: str, principal: str, limit: int, offset: int, now: datetime
    ) -> tuple[list[InboxItem], bool]:
        wanted = offset + limit + 1  # one past the page: whether more follow
        records = InboxRecord.query(
            keys.inbox_pk(workspace_id, principal),
            InboxRecord.sk.startswith(ID_PREFIX),
            filter_condition=_live(now),
            scan_index_forward=False,
            limit=wanted,
            page_size=min(wanted, 200),
        )
        found = [_from_record(record) for record in records]
        return found[offset : offset + limit], len(found) > offset + limit

    def read_boundary(self, workspace_id: str, principal: str) -> str | None:
        try:
            mark = InboxReadMarkRecord.get(
                keys.inbox_pk(workspace_id, principal), keys.READ_MARK_SK, consistent_read=True
            )
        except InboxReadMarkRecord.DoesNotExist:
            return None
        return mark.boundary

    def count_unread(self, workspace_id: str, principal: str, boundary: str | None, now: datetime, at_most: int) -> int:
        above = InboxRecord.gsi1sk > boundary if boundary else InboxRecord.gsi1sk.startswith(ID_PREFIX)
        return InboxRecord.by_workspace.count(
            keys.unread_listing(workspace_id, principal),
            range_key_condition=above,
            filter_condition=_live(now),
            limit=at_most,
        )

    def mark_read(self, workspace_id: str, principal: str, item_id: str, now: datetime) -> InboxItem:
        if not item_id.startswith(ID_PREFIX):
            raise NotFoundError(f"notification {item_id} not found", field="notification_id")
        record = InboxRecord(pk=keys.inbox_pk(workspace_id, principal), sk=item_id)
        try:
            record.update(
                actions=[
                    InboxRecord.read_at.set(InboxRecord.read_at | now),  # the first reading stays
                    InboxRecord.gsi1pk.remove(),
                    InboxRecord.gsi1sk.remove(),
                ],
                condition=InboxRecord.pk.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFoundError(f"notification {item_id} not found", field="notification_id") from error
            raise StorageError("marking the notification read failed") from error
        return _from_record(record)

    def mark_all_read(self, workspace_id: str, principal: str, boundary: str) -> None:
        mark = InboxReadMarkRecord(pk=keys.inbox_pk(workspace_id, principal), sk=keys.READ_MARK_SK, boundary=boundary)
        try:
            mark.save(condition=InboxReadMarkRecord.pk.does_not_exist() | (InboxReadMarkRecord.boundary < boundary))
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return  # a later "read all" was recorded meanwhile: it covers this one
            raise StorageError("marking the notifications read failed") from error

"""DeadLetterStore on DynamoDB: failed payloads kept byte for byte, with their error, until replayed or aged out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aisre.alerts.model.dead_letter import DeadLetter
from aisre.alerts.store import keys
from aisre.alerts.store.body_parts import decode_body, encode_body, has_more_parts, part_sk
from aisre.alerts.store.records import DeadLetterPartRecord, DeadLetterRecord
from aisre.core.table.by_id import get_by_id


class DynamoDeadLetterStore:
    def put(self, entry: DeadLetter, retention_days: int) -> None:
        # DynamoDB items stop at 400 KB: the body is compressed when large and, if still too big, split.
        encoding, parts = encode_body(entry.body)
        pk = keys.dead_letter_pk(entry.workspace_id, entry.id)
        ttl = timedelta(days=retention_days)
        listed = f"{keys.stamp(entry.received_at)}#{entry.id}"
        # Parts first: the entry becomes visible only once its whole body is stored.
        for index, chunk in enumerate(parts[1:], start=1):
            DeadLetterPartRecord(pk=pk, sk=part_sk(index), index=index, data=chunk, ttl=ttl).save()
        DeadLetterRecord(
            pk=pk,
            sk=keys.DEAD_LETTER_SK,
            gsi1pk=keys.workspace_dead_letters(entry.workspace_id),
            gsi1sk=listed,
            gsi2pk=keys.ALL_DEAD_LETTERS,
            gsi2sk=listed,
            gsi3pk=keys.dead_letter_id_key(entry.id),
            id=entry.id,
            workspace_id=entry.workspace_id,
            source=entry.source,
            error=entry.error,
            error_type=entry.error_type,
            status_code=entry.status_code,
            body=parts[0],
            body_encoding=encoding,
            content_type=entry.content_type,
            channel=entry.channel,
            received_at=entry.received_at,
            replay_count=entry.replay_count,
            ttl=ttl,
        ).save()

    def list_entries(self, workspace_id: str | None, limit: int) -> list[DeadLetter]:
        if workspace_id is not None:
            results = DeadLetterRecord.by_workspace.query(
                keys.workspace_dead_letters(workspace_id), scan_index_forward=False, limit=limit
            )
        else:
            results = DeadLetterRecord.across_workspaces.query(
                keys.ALL_DEAD_LETTERS, scan_index_forward=False, limit=limit
            )
        return [self._to_entry(record) for record in results]

    def get(self, workspace_id: str | None, entry_id: str) -> DeadLetter:
        record = get_by_id(
            DeadLetterRecord,
            workspace_id,
            id_key=keys.dead_letter_id_key(entry_id),
            key=lambda workspace: (keys.dead_letter_pk(workspace, entry_id), keys.DEAD_LETTER_SK),
            what=f"dead-letter entry {entry_id}",
            field="entry_id",
        )
        return self._to_entry(record)

    def mark_replayed(self, entry: DeadLetter, at: datetime, result: dict[str, Any]) -> None:
        DeadLetterRecord(pk=keys.dead_letter_pk(entry.workspace_id, entry.id), sk=keys.DEAD_LETTER_SK).update(
            actions=[
                DeadLetterRecord.replay_count.add(1),
                DeadLetterRecord.replayed_at.set(at),
                DeadLetterRecord.replay_result.set(result),
            ],
            condition=DeadLetterRecord.pk.exists(),
        )

    def _to_entry(self, record: DeadLetterRecord) -> DeadLetter:
        encoding = record.body_encoding
        text = record.body
        if has_more_parts(encoding):
            parts = DeadLetterPartRecord.query(record.pk, DeadLetterPartRecord.sk.startswith("PART#"))
            text += "".join(part.data for part in sorted(parts, key=lambda part: int(part.index)))
        return DeadLetter(
            id=record.id,
            workspace_id=record.workspace_id,
            source=record.source,
            error=record.error,
            error_type=record.error_type,
            status_code=int(record.status_code),
            body=decode_body(encoding, text),
            content_type=record.content_type,
            received_at=record.received_at,
            channel=record.channel,
            replay_count=int(record.replay_count or 0),
            replayed_at=record.replayed_at,
            replay_result=record.replay_result,
        )

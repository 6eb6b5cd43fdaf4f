"""RawPayloadStore on DynamoDB: payloads byte for byte, in slices under the item limit, with no TTL (an incident
that refers to one has none either)."""

from __future__ import annotations

from aisre.alerts.model.raw_payload import RawPayload
from aisre.alerts.store import keys
from aisre.alerts.store.body_parts import decode_body, encode_body, has_more_parts, part_sk
from aisre.alerts.store.records import RawPayloadPartRecord, RawPayloadRecord
from aisre.core.errors import NotFoundError


class DynamoRawPayloadStore:
    def put(self, payload: RawPayload) -> None:
        encoding, parts = encode_body(payload.body)
        pk = keys.raw_payload_pk(payload.workspace_id, payload.id)
        # Slices first: the payload is readable only once its whole body is stored.
        for index, chunk in enumerate(parts[1:], start=1):
            RawPayloadPartRecord(pk=pk, sk=part_sk(index), index=index, data=chunk).save()
        RawPayloadRecord(
            pk=pk,
            sk=keys.RAW_PAYLOAD_SK,
            id=payload.id,
            workspace_id=payload.workspace_id,
            source=payload.source,
            body=parts[0],
            body_encoding=encoding,
            content_type=payload.content_type,
            size_bytes=len(payload.body),
            received_at=payload.received_at,
        ).save()

    def get(self, workspace_id: str, payload_id: str) -> RawPayload:
        pk = keys.raw_payload_pk(workspace_id, payload_id)
        try:
            record = RawPayloadRecord.get(pk, keys.RAW_PAYLOAD_SK, consistent_read=True)
        except RawPayloadRecord.DoesNotExist as error:
            raise NotFoundError(f"raw payload {payload_id} not found", field="payload_id") from error
        text = record.body
        if has_more_parts(record.body_encoding):
            parts = RawPayloadPartRecord.query(pk, RawPayloadPartRecord.sk.startswith("PART#"), consistent_read=True)
            text += "".join(part.data for part in sorted(parts, key=lambda part: int(part.index)))
        return RawPayload(
            id=record.id,
            workspace_id=record.workspace_id,
            source=record.source,
            body=decode_body(record.body_encoding, text),
            content_type=record.content_type,
            received_at=record.received_at,
        )

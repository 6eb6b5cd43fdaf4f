"""The alerts' records in the single table: dead letters, provider delivery receipts and raw payloads
(docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from aisre.core.table.records import GlobalIndex, IdIndex, ListedRecord, Record, WorkspaceIndex


class DeadLetterRecord(ListedRecord):
    by_workspace = WorkspaceIndex["DeadLetterRecord"]()
    across_workspaces = GlobalIndex["DeadLetterRecord"]()
    by_id = IdIndex["DeadLetterRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    source = UnicodeAttribute()
    error = UnicodeAttribute()
    error_type = UnicodeAttribute()
    status_code = NumberAttribute()
    body = UnicodeAttribute()  # the raw body as received (text; base64 when it was not UTF-8)
    body_encoding = UnicodeAttribute(default="utf-8")
    content_type = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(default="http")
    received_at = UTCDateTimeAttribute()
    replay_count = NumberAttribute(default=0)
    replayed_at = UTCDateTimeAttribute(null=True)
    replay_result = JSONAttribute(null=True)
    ttl = TTLAttribute(null=True)


class DeadLetterPartRecord(Record):
    """A slice of a dead letter's body too large for one item (the entry's partition, sk PART#nnnn)."""

    index = NumberAttribute()
    data = UnicodeAttribute()
    ttl = TTLAttribute(null=True)  # ages out with its entry


class WebhookReceiptRecord(Record):
    response = JSONAttribute()
    received_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)


class RawPayloadRecord(Record):
    """A payload as received, whose alerts were cut to fit their incidents; the first slice of its body."""

    id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    source = UnicodeAttribute()
    body = UnicodeAttribute()
    body_encoding = UnicodeAttribute(default="utf-8")
    content_type = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute()
    received_at = UTCDateTimeAttribute()


class RawPayloadPartRecord(Record):
    """A further slice of a raw payload's body (the payload's partition, sk PART#nnnn)."""

    index = NumberAttribute()
    data = UnicodeAttribute()

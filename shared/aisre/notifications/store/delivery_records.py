"""The delivery pipeline's records in the single table: deliveries, conversations (a storm's group to one first
message per target), and each target's health (its circuit) and per-minute send counts (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from aisre.core.table.records import GlobalIndex, IdIndex, ListedRecord, Record, WorkspaceIndex


class DeliveryRecord(ListedRecord):
    """One event to one target and its attempts. Listed per target (gsi1) and, while failed, in the workspace's
    failed deliveries (gsi2, sparse); found by id (gsi3)."""

    by_target = WorkspaceIndex["DeliveryRecord"]()
    failed = GlobalIndex["DeliveryRecord"]()
    by_id = IdIndex["DeliveryRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    delivery_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    incident_id = UnicodeAttribute(null=True)
    target_kind = UnicodeAttribute()
    target_id = UnicodeAttribute()
    target_name = UnicodeAttribute()
    target_type = UnicodeAttribute()
    event_type = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event = JSONAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True)


class ConversationRecord(Record):
    """The first message of a conversation at one target (Slack's channel and ts, PagerDuty's dedup key), and the
    later events folded into its next update."""

    external_ref = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    folded = NumberAttribute(default=0)
    update_pending = BooleanAttribute(default=False)
    ttl = TTLAttribute(null=True)


class TargetHealthRecord(Record):
    """A target's circuit (sk HEALTH) or its sends in one minute (sk RATE#<minute>)."""

    failures = NumberAttribute(default=0)
    open_until = UTCDateTimeAttribute(null=True)
    times_opened = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    sent = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)

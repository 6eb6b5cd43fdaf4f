"""The outgoing webhooks' and triggers' records in the single table (docs/data-model.md)."""

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


class WebhookRecord(ListedRecord):
    """An outgoing webhook: its URL, the event names it takes, its signing secret (never shown after creation)."""

    by_workspace = WorkspaceIndex["WebhookRecord"]()
    across_workspaces = GlobalIndex["WebhookRecord"]()
    by_id = IdIndex["WebhookRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    webhook_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = JSONAttribute()
    secret = UnicodeAttribute()
    enabled = BooleanAttribute(default=True)
    description = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)


class TriggerRecord(ListedRecord):
    """A trigger: the event it listens to, its conditions and its action (as the model writes them)."""

    by_workspace = WorkspaceIndex["TriggerRecord"]()
    across_workspaces = GlobalIndex["TriggerRecord"]()
    by_id = IdIndex["TriggerRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    trigger_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    name = UnicodeAttribute()
    event_type = UnicodeAttribute()
    conditions = JSONAttribute(null=True)
    action = JSONAttribute()
    enabled = BooleanAttribute(default=True)
    description = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)


class TriggerRunRecord(Record):
    """One run of a trigger's action, beside the trigger; it ages out (NOTIFICATION_RETENTION_DAYS)."""

    run_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    trigger_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    incident_id = UnicodeAttribute(null=True)
    action = JSONAttribute()
    outcome = UnicodeAttribute()
    detail = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)

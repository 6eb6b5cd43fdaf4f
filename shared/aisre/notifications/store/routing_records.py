"""The records of channels, their names, a workspace's rules and the in-app notifications (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from aisre.core.table.records import ListedRecord, Record, WorkspaceIndex


class ChannelRecord(Record):
    """A channel: its plain config and its secrets masked; the secret values are in the secrets store
    (`secret_name` at `secret_version`), never here."""

    channel_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    config = JSONAttribute()
    masked_secrets = JSONAttribute(null=True)
    secret_name = UnicodeAttribute(null=True)
    secret_version = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)


class ChannelNameRecord(Record):
    """The claim of a channel's name in its workspace, written with the channel in one transaction."""

    channel_id = UnicodeAttribute()


class RuleSetRecord(Record):
    """A workspace's rules, in order, in one item: a position is the place in the list, and every change is one
    write conditioned on `version`."""

    rules = JSONAttribute()
    version = NumberAttribute()
    updated_at = UTCDateTimeAttribute()


class InboxRecord(ListedRecord):
    """An in-app notification of one principal; listed on gsi1 while unread."""

    by_workspace = WorkspaceIndex["InboxRecord"]()

    item_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    principal = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    title = UnicodeAttribute()
    severity = UnicodeAttribute()
    message = UnicodeAttribute(null=True)
    service = UnicodeAttribute(null=True)
    incident_id = UnicodeAttribute(null=True)
    link = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    read_at = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True)


class InboxEventRecord(Record):
    """An event a principal's inbox holds already: a redelivered event adds no second item."""

    item_id = UnicodeAttribute()
    ttl = TTLAttribute(null=True)


class InboxReadMarkRecord(Record):
    """The principal's last "read all": items whose id sorts below `boundary` count as read."""

    boundary = UnicodeAttribute()

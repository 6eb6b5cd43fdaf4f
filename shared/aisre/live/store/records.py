"""The live connections' records in the single table (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from aisre.core.table.records import IdIndex, Record


class LiveConnectionRecord(Record):
    """An authenticated socket (pk WS#{ws}#LIVE, sk CONN#{connection id}): the workspace's partition is what the
    fan-out reads for an event; gsi3 (LIVECONN#{connection id}) finds it from a message, which knows only the id."""

    gsi3pk = UnicodeAttribute(null=True)
    by_id = IdIndex["LiveConnectionRecord"]()

    connection_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    principal = UnicodeAttribute()
    subscriptions = JSONAttribute(default=list)
    connected_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)

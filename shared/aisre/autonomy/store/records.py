"""Autonomy's records in the single table (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from aisre.core.table.records import Record


class DecisionRecord(Record):
    """Beside an incident: what autonomy decided for one of its suggested actions in one mode."""

    workspace_id = UnicodeAttribute()
    incident_id = UnicodeAttribute()
    suggestion_key = UnicodeAttribute()
    mode = UnicodeAttribute()
    action = UnicodeAttribute()
    arguments = JSONAttribute()
    cycle_id = UnicodeAttribute()
    status = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    lease_until = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    outcome = JSONAttribute(null=True)
    ttl = TTLAttribute(null=True)

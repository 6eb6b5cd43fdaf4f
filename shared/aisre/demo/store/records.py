"""The demo's record in the single table (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from aisre.core.table.records import Record


class SeedRecord(Record):
    """A workspace's demo seed: claimed while it is told, then what it made (the answer, kept whole)."""

    workspace_id = UnicodeAttribute()
    status = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    lease_until = UTCDateTimeAttribute()
    result = JSONAttribute(null=True)

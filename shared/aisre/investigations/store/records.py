"""The investigations' records in the single table: investigations and their links from incidents."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
)

from aisre.core.table.records import IdIndex, Record


class InvestigationRecord(Record):
    """One investigation, whole (pk WS#{ws}#INV#{id}); found by id alone through gsi3."""

    gsi3pk = UnicodeAttribute(null=True)
    by_id = IdIndex["InvestigationRecord"]()

    status = UnicodeAttribute()
    body = JSONAttribute()


class InvestigationLinkRecord(Record):
    """In the incident's partition (sk INV#{started}#{id}): its investigations, newest last."""

    investigation_id = UnicodeAttribute()

"""Record classes and their PynamoDB connections: a record class imported late never borrows its parent's."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute

from aisre.core.providers import configured_table
from aisre.core.scope import default_scope
from aisre.core.table.records import IdIndex, Record


def test_a_record_class_defined_after_the_base_connected_queries_its_own_index(local_stack: Any) -> None:
    default_scope().get(configured_table)
    Record._get_connection()  # as the incident store's batch reads do, before other capabilities load

    class LateRecord(Record):  # as a capability's store module imported on first use defines its records
        gsi3pk = UnicodeAttribute(null=True)
        by_id = IdIndex["LateRecord"]()

    # Borrowing Record's connection, whose table description has no gsi3, this raised "has no index: gsi3".
    assert list(LateRecord.by_id.query("LATE#nothing-here", limit=1)) == []
    assert LateRecord._get_connection() is not Record._get_connection()

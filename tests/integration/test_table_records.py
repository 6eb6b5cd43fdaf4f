"""Records declared by each capability's store share the table's base, whenever their module is imported."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from aisre.core.table.records import IdIndex, Record


def test_a_record_class_defined_after_the_base_connected_keeps_its_own_indexes(local_stack: object) -> None:
    from aisre.core.providers import configured_table
    from aisre.core.scope import default_scope

    default_scope().get(configured_table)
    Record.describe_table()  # the base connects first, as /health does before any store is imported

    class LateRecord(Record):
        gsi3pk = UnicodeAttribute(null=True)
        by_id = IdIndex["LateRecord"]()

    LateRecord(pk="WS#late#X#1", sk="META", gsi3pk="LATE#1").save()
    assert [hit.pk for hit in LateRecord.by_id.query("LATE#1")] == ["WS#late#X#1"]
    assert LateRecord._get_connection() is not Record._get_connection()

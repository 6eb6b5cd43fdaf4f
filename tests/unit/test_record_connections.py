"""A record class defined after the table was first described gets its own connection, with its own indexes."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from aisre.core.table.records import IdIndex, Record, configure_records


def test_a_record_defined_late_does_not_inherit_its_parents_table_description() -> None:
    meta = Record.Meta
    before = (meta.table_name, meta.region, meta.host)
    try:
        _check_late_record()
    finally:  # the records point where they did (the session's emulator, for the tests after this one)
        configure_records(table_name=before[0], region=before[1], endpoint_url=before[2])


def _check_late_record() -> None:
    configure_records(table_name="aisre-test", region="us-east-1", endpoint_url="http://127.0.0.1:1")
    parent = Record._get_connection()  # what /health's DescribeTable does before any store is imported

    class LateRecord(Record):
        gsi3pk = UnicodeAttribute(null=True)
        by_id = IdIndex["LateRecord"]()

    connection = LateRecord._get_connection()
    assert connection is not parent
    assert connection.get_meta_table().has_index_name("gsi3")
    assert Record._get_connection() is parent

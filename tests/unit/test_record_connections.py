"""A record class defined after the table was first described queries its own indexes, on the one connection."""

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
    assert connection is parent  # one botocore client for the table, not one per record class
    meta = connection.get_meta_table()
    assert meta.has_index_name("gsi3")
    assert meta.get_index_hash_keyname("gsi3") == "gsi3pk"
    assert meta.get_attribute_type("gsi3pk") == "S"
    LateRecord._get_connection()  # asked again: nothing added twice
    assert [index["IndexName"] for index in meta.data["GlobalSecondaryIndexes"]].count("gsi3") == 1

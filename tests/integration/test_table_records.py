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


def test_record_classes_share_one_botocore_client_per_configuration(local_stack: object) -> None:
    from aisre.alerts.store.records import DeadLetterRecord
    from aisre.core.providers import configured_table, table_connection
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.incidents.store.records import IncidentRecord
    from aisre.investigations.store.records import InvestigationRecord

    scope = Scope(get_settings())
    scope.get(configured_table)
    clients = {
        id(record._get_connection().connection.client)
        for record in (IncidentRecord, DeadLetterRecord, InvestigationRecord)
    }
    assert len(clients) == 1
    # The transactions' connection keeps PynamoDB's own timeouts, so it has a client of its own, made once.
    assert scope.get(table_connection).client is Scope(get_settings()).get(table_connection).client

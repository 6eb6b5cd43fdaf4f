"""PynamoDB records of the single table; keys and indexes as docs/data-model.md lays them out."""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.attributes import (
    UnicodeAttribute,
)
from pynamodb.connection.base import MetaTable
from pynamodb.constants import (
    ATTR_DEFINITIONS,
    ATTR_NAME,
    GLOBAL_SECONDARY_INDEXES,
    INDEX_NAME,
    KEY_SCHEMA,
    LOCAL_SECONDARY_INDEXES,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from aisre.core.table.clients import tune_client

_R = TypeVar("_R", bound=Model)


class WorkspaceIndex(GlobalSecondaryIndex[_R]):
    """gsi1: per-workspace listings, newest first."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class GlobalIndex(GlobalSecondaryIndex[_R]):
    """gsi2: the same listings across every workspace, for keys that see them all."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class IdIndex(GlobalSecondaryIndex[_R]):
    """gsi3: find an item's key by its id when the workspace is not known."""

    class Meta:
        index_name = "gsi3"
        projection = KeysOnlyProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)


class Record(Model):
    """Base of every record: the table's key attributes. Subclasses share this Meta."""

    class Meta:
        # Replaced by configure_records() from Settings before the first request.
        table_name = "aisre"
        region = "us-east-1"
        host: str | None = None
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3
        max_pool_connections = 64

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    @classmethod
    def _get_connection(cls) -> Any:
        """PynamoDB's cached connection, its client tuned the moment it is made (core/table/clients.py)."""
        if "_connection" not in cls.__dict__:
            # A record class defined after configure_records() (its store imported on first use) inherits its
            # parent's connection, whose table description was made before this class's indexes were known
            # (GET /investigations/{id} after /health: "Table has no index: gsi3", a 500). It shares that
            # connection (one botocore client per table, not one per record class) once the description
            # knows its indexes.
            inherited = cls._connection
            if inherited is not None and inherited.table_name == cls.Meta.table_name:
                _describe_indexes(inherited.get_meta_table(), cls)
            cls._connection = inherited
        before = cls._connection
        connection = super()._get_connection()
        if connection is not before:
            tune_client(connection.connection.client)
        return connection


def _describe_indexes(meta: MetaTable, record: type[Record]) -> None:
    """Add the record's indexes (and their key attributes) to a table description that lacks them."""
    schema = record._get_schema()
    data = meta.data
    definitions = data.setdefault(ATTR_DEFINITIONS, [])
    known_attributes = {definition[ATTR_NAME] for definition in definitions}
    for definition in schema["attribute_definitions"]:
        if definition[ATTR_NAME] not in known_attributes:
            definitions.append(definition)
            known_attributes.add(definition[ATTR_NAME])
    described: list[tuple[str, list[Any]]] = [
        (GLOBAL_SECONDARY_INDEXES, list(schema["global_secondary_indexes"])),
        (LOCAL_SECONDARY_INDEXES, list(schema["local_secondary_indexes"])),
    ]
    for kind, record_indexes in described:
        indexes = data.setdefault(kind, [])
        for index in record_indexes:
            if not meta.has_index_name(index["index_name"]):
                indexes.append({INDEX_NAME: index["index_name"], KEY_SCHEMA: index["key_schema"]})


class ListedRecord(Record):
    """A record listed per workspace (gsi1) and across workspaces (gsi2), newest first."""

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)


def _record_classes(root: type[Record] = Record) -> list[type[Record]]:
    """Every record class defined so far: each capability's store declares its own (aisre/<capability>/store)."""
    found: list[type[Record]] = [root]
    for subclass in root.__subclasses__():
        found.extend(_record_classes(subclass))
    return found


def configure_records(*, table_name: str, region: str, endpoint_url: str | None) -> None:
    """Point every record at the configured table (called once per process, and again by tests).

    Meta is shared by inheritance, so a record class defined after this call points there too."""
    for record in _record_classes():
        meta: Any = record.Meta  # set on each in case a record defines its own
        meta.table_name, meta.region, meta.host = table_name, region, endpoint_url
        record._connection = None

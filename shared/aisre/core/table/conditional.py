"""Conditional writes of one item: created only when new, replaced only at the version read, deleted only if there."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException

from aisre.core.errors import ConflictError, NotFoundError, StorageError
from aisre.core.table.records import Record


def condition_failed(error: PynamoDBException) -> bool:
    """The write's condition did not hold (a race lost, or the item missing): the caller's error, not the store's."""
    return error.cause_response_code == "ConditionalCheckFailedException"


def create_new(record: Record, *, kind: str, item_id: str) -> None:
    """Save `record` unless an item has its key: ConflictError naming the `kind` of item and its id."""
    try:
        record.save(condition=type(record).pk.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            raise ConflictError(f"{kind} {item_id} exists already") from error
        raise StorageError(f"storing the {kind} failed") from error


def replace_if_version(
    record: Record, version: NumberAttribute, read_version: int, *, kind: str, item_id: str, field: str
) -> None:
    """Save `record` over the item only while its `version` is still the one read, so that two editors cannot
    lose a change: ConflictError when it moved on or the item is gone."""
    try:
        record.save(condition=version == read_version)
    except PutError as error:
        if condition_failed(error):
            raise ConflictError(
                f"{kind} {item_id} was changed or deleted meanwhile; read it and try again", field=field
            ) from error
        raise StorageError(f"storing the {kind} failed") from error


def delete_existing(record: Record, *, kind: str, item_id: str, field: str) -> None:
    """Delete the item `record` keys: NotFoundError when it is gone already (deleted meanwhile)."""
    try:
        record.delete(condition=type(record).pk.exists())
    except DeleteError as error:
        if condition_failed(error):
            raise NotFoundError(f"{kind} {item_id} not found", field=field) from error
        raise StorageError(f"deleting the {kind} failed") from error

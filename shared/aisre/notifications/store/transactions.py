"""One transaction of the notifications' stores: a lost condition is a ConflictError, anything else a
StorageError (never botocore's text, which carries the endpoint's address)."""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError, StorageError

_LOST = {"ConditionalCheckFailed", "TransactionConflict", "None"}


def commit(connection: Connection, build: Callable[[TransactWrite], None], conflict: ConflictError, what: str) -> None:
    """Run the writes `build` adds in one transaction; `conflict` is raised when a condition did not hold."""
    try:
        with TransactWrite(connection=connection) as transaction:
            build(transaction)
    except TransactWriteError as error:
        codes = {reason.code for reason in error.cancellation_reasons if reason is not None}
        if error.cause_response_code == "TransactionCanceledException" and codes <= _LOST:
            raise conflict from error
        code = error.cause_response_code
        raise StorageError(f"{what} failed ({code})" if code else f"{what} failed") from error
    except PynamoDBException as error:
        raise StorageError(f"{what} failed") from error

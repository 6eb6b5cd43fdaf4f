"""ExecutionStore on DynamoDB: an execution and its rate-limit slots claimed in one conditional transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from aisre.core.errors import StorageError
from aisre.core.table.by_id import get_by_id
from aisre.remediation.model.execution import Execution, ExecutionStatus
from aisre.remediation.ports import ClaimResult, SlotClaim
from aisre.remediation.store import keys
from aisre.remediation.store.records import ExecutionRecord, RateSlotRecord

# A slot outlives its window by a day, then DynamoDB's TTL removes it (a missing slot is a free one).
_SLOT_GRACE = timedelta(days=1)


def _to_record(execution: Execution, retention: timedelta) -> ExecutionRecord:
    listed = keys.execution_listed(execution.started_at, execution.id)
    return ExecutionRecord(
        pk=keys.execution_pk(execution.workspace_id, execution.id),
        sk=keys.EXECUTION_SK,
        gsi1pk=keys.workspace_executions(execution.workspace_id),
        gsi1sk=listed,
        gsi2pk=keys.ALL_EXECUTIONS,
        gsi2sk=listed,
        gsi3pk=keys.execution_id_key(execution.id),
        execution_id=execution.id,
        workspace_id=execution.workspace_id,
        idempotency_key=execution.key,
        fingerprint=execution.fingerprint,
        action=execution.action,
        arguments=execution.arguments,
        incident_id=execution.incident_id,
        approval_id=execution.approval_id,
        principal=execution.principal,
        status=execution.status.value,
        attempt=execution.attempt,
        started_at=execution.started_at,
        lease_until=execution.lease_until,
        reusable_after=execution.reusable_after,
        finished_at=execution.finished_at,
        outcome=execution.outcome,
        before=execution.before or None,
        ttl=execution.started_at + retention,
    )


def _from_record(record: ExecutionRecord) -> Execution:
    return Execution(
        id=record.execution_id,
        workspace_id=record.workspace_id,
        key=record.idempotency_key,
        fingerprint=record.fingerprint,
        action=record.action,
        arguments=record.arguments or {},
        incident_id=record.incident_id,
        approval_id=record.approval_id,
        principal=record.principal,
        status=ExecutionStatus(record.status),
        attempt=int(record.attempt or 1),
        started_at=record.started_at,
        lease_until=record.lease_until,
        reusable_after=record.reusable_after,
        finished_at=record.finished_at,
        outcome=record.outcome,
        before=record.before or {},
    )


class DynamoExecutionStore:
    def __init__(self, connection: Connection, retention: timedelta):
        # Transactions need an explicit connection: PynamoDB's default one ignores the models' host.
        self._connection = connection
        self._retention = retention

    def get_execution(self, workspace_id: str, execution_id: str) -> Execution | None:
        try:
            record = ExecutionRecord.get(
                keys.execution_pk(workspace_id, execution_id), keys.EXECUTION_SK, consistent_read=True
            )
        except ExecutionRecord.DoesNotExist:
            return None
        return _from_record(record)

    def find_execution(self, workspace_id: str | None, execution_id: str) -> Execution:
        record = get_by_id(
            ExecutionRecord,
            workspace_id,
            id_key=keys.execution_id_key(execution_id),
            key=lambda workspace: (keys.execution_pk(workspace, execution_id), keys.EXECUTION_SK),
            what=f"execution {execution_id}",
            field="execution_id",
        )
        return _from_record(record)

    def claim_execution(self, execution: Execution, slots: Sequence[SlotClaim], now: datetime) -> ClaimResult:
        free = (
            ExecutionRecord.pk.does_not_exist()
            # An attempt that died holding it (its lease ran out): this one takes over.
            | ((ExecutionRecord.status == ExecutionStatus.RUNNING.value) & (ExecutionRecord.lease_until < now))
            # A request-derived key past its idempotency window: the same request may run again.
            | ((ExecutionRecord.status != ExecutionStatus.RUNNING.value) & (ExecutionRecord.reusable_after < now))
        )
        transaction = TransactWrite(connection=self._connection)
        try:
            with transaction as tx:
                tx.save(_to_record(execution, self._retention), condition=free)
                for slot in slots:
                    record = RateSlotRecord(
                        pk=keys.rate_pk(execution.workspace_id, slot.scope_key),
                        sk=keys.slot_sk(slot.index),
                        taken_at=now,
                        execution_id=execution.id,
                        ttl=now + slot.window + _SLOT_GRACE,
                    )
                    untouched = (
                        RateSlotRecord.pk.does_not_exist()
                        if slot.taken_at is None
                        else RateSlotRecord.taken_at == slot.taken_at
                    )
                    tx.save(record, condition=untouched)
        except TransactWriteError as error:
            reasons = [reason.code if reason is not None else "None" for reason in error.cancellation_reasons]
            if error.cause_response_code != "TransactionCanceledException":
                raise StorageError(f"claiming execution failed ({error.cause_response_code})") from error
            if reasons and reasons[0] in ("ConditionalCheckFailed", "TransactionConflict"):
                return ClaimResult.EXISTS
            if any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons[1:]):
                return ClaimResult.SLOT_TAKEN
            raise StorageError("claiming execution failed") from error
        except PynamoDBException as error:
            raise StorageError("claiming execution failed") from error
        return ClaimResult.CLAIMED

    def finish_execution(self, execution: Execution) -> None:
        record = ExecutionRecord(pk=keys.execution_pk(execution.workspace_id, execution.id), sk=keys.EXECUTION_SK)
        try:
            actions: list[Action] = [
                ExecutionRecord.status.set(execution.status.value),
                ExecutionRecord.finished_at.set(execution.finished_at or execution.started_at),
                ExecutionRecord.outcome.set(execution.outcome),
            ]
            if execution.reusable_after is not None:
                actions.append(ExecutionRecord.reusable_after.set(execution.reusable_after))
            record.update(
                actions=actions,
                condition=(ExecutionRecord.attempt == execution.attempt)
                & (ExecutionRecord.status == ExecutionStatus.RUNNING.value),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                # Another attempt took this one over (its lease had run out): its outcome is the record's.
                return
            raise StorageError("recording the execution's outcome failed") from error

    def release_slots(self, workspace_id: str, slots: Sequence[SlotClaim], execution_id: str) -> None:
        # The slots were free when taken (missing, or taken longer ago than the window), so a deleted one is
        # exactly as free as it was.
        for slot in slots:
            record = RateSlotRecord(pk=keys.rate_pk(workspace_id, slot.scope_key), sk=keys.slot_sk(slot.index))
            try:
                record.delete(condition=RateSlotRecord.execution_id == execution_id)
            except DeleteError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise StorageError("releasing a rate-limit slot failed") from error

    def taken_slots(self, workspace_id: str, scope_key: str) -> dict[int, datetime]:
        taken: dict[int, datetime] = {}
        for record in RateSlotRecord.query(
            keys.rate_pk(workspace_id, scope_key),
            RateSlotRecord.sk.startswith(keys.SLOT_PREFIX),
            consistent_read=True,
        ):
            taken[int(record.sk.removeprefix(keys.SLOT_PREFIX))] = record.taken_at
        return taken

    def recent_executions(self, workspace_id: str | None, limit: int) -> list[Execution]:
        if workspace_id is not None:
            results = ExecutionRecord.by_workspace.query(
                keys.workspace_executions(workspace_id), scan_index_forward=False, limit=limit
            )
        else:
            results = ExecutionRecord.across_workspaces.query(
                keys.ALL_EXECUTIONS, scan_index_forward=False, limit=limit
            )
        return [_from_record(record) for record in results]

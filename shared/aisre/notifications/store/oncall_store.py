"""Schedules and escalation policies on DynamoDB, one partition per workspace. A policy is written in one
transaction with the claims of its services (one policy per service) and its name on each schedule it targets (a
schedule named by a policy cannot be deleted)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError, NotFoundError, StorageError
from aisre.core.paging import Page
from aisre.core.table.paging import decode_cursor, encode_cursor
from aisre.notifications.model.oncall.escalation import Policy, parse_policy
from aisre.notifications.model.oncall.schedule import Schedule, parse_schedule
from aisre.notifications.store import oncall_keys as keys
from aisre.notifications.store.oncall_records import PolicyRecord, ScheduleRecord, ServiceClaimRecord

if TYPE_CHECKING:
    from pynamodb.connection import Connection

_BATCH = 100
# Why a transaction is cancelled when one of its conditions lost (or a concurrent transaction held an item).
_LOST = {"ConditionalCheckFailed", "TransactionConflict", "None"}


def _schedule(record: ScheduleRecord) -> Schedule:
    return Schedule(
        id=record.schedule_id,
        workspace_id=record.workspace_id,
        spec=parse_schedule(record.document),
        created_at=record.created_at,
        updated_at=record.updated_at,
        created_by=record.created_by,
        version=int(record.version or 1),
        policies=frozenset(record.policies or ()),
    )


def _policy(record: PolicyRecord) -> Policy:
    return Policy(
        id=record.policy_id,
        workspace_id=record.workspace_id,
        spec=parse_policy(record.document),
        created_at=record.created_at,
        updated_at=record.updated_at,
        created_by=record.created_by,
        version=int(record.version or 1),
    )


def _failed_condition(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


@contextmanager
def _transaction(connection: Connection, lost: str) -> Iterator[TransactWrite]:
    """A TransactWrite committed when the block ends without an error: its lost conditions are a ConflictError
    saying `lost`, its other failures a StorageError. A block that raises commits nothing."""
    transaction = TransactWrite(connection=connection)
    yield transaction.__enter__()
    try:
        transaction.__exit__(None, None, None)
    except TransactWriteError as error:
        codes = {str(reason.code) for reason in error.cancellation_reasons if reason is not None}
        if error.cause_response_code == "TransactionCanceledException" and codes <= _LOST:
            raise ConflictError(lost, details={"reasons": sorted(codes)}) from error
        # Not the error's text: botocore's carries the endpoint's address (core/dependencies.py names it).
        raise StorageError(f"transaction failed ({error.cause_response_code or 'unknown'})") from error
    except PynamoDBException as error:
        raise StorageError("transaction failed") from error


class DynamoOnCallStore:
    """ScheduleStore and PolicyStore (ports.py)."""

    def __init__(self, connection: Connection):
        self._connection = connection

    # -- schedules --------------------------------------------------------------------------------------------

    def create_schedule(self, schedule: Schedule) -> None:
        record = ScheduleRecord(
            pk=keys.oncall_pk(schedule.workspace_id),
            sk=keys.schedule_sk(schedule.id),
            schedule_id=schedule.id,
            workspace_id=schedule.workspace_id,
            document=schedule.spec.document(),
            version=schedule.version,
            created_by=schedule.created_by,
            created_at=schedule.created_at,
            updated_at=schedule.updated_at,
        )
        try:
            record.save(condition=ScheduleRecord.pk.does_not_exist())
        except PutError as error:
            if _failed_condition(error):
                raise ConflictError(f"schedule {schedule.id} exists already", field="schedule_id") from error
            raise StorageError("storing the schedule failed") from error

    def get_schedule(self, workspace_id: str, schedule_id: str) -> Schedule:
        try:
            record = ScheduleRecord.get(
                keys.oncall_pk(workspace_id), keys.schedule_sk(schedule_id), consistent_read=True
            )
        except ScheduleRecord.DoesNotExist as missing:
            raise NotFoundError(f"schedule {schedule_id} not found", field="schedule_id") from missing
        return _schedule(record)

    def find_schedules(self, workspace_id: str, schedule_ids: Collection[str]) -> dict[str, Schedule]:
        wanted = sorted(set(schedule_ids))
        found: dict[str, Schedule] = {}
        for at in range(0, len(wanted), _BATCH):
            item_keys = [(keys.oncall_pk(workspace_id), keys.schedule_sk(sid)) for sid in wanted[at : at + _BATCH]]
            for record in ScheduleRecord.batch_get(item_keys, consistent_read=True):
                found[record.schedule_id] = _schedule(record)
        return found

    def list_schedules(self, workspace_id: str, limit: int, cursor: str | None) -> Page[Schedule]:
        records, next_cursor = self._page(ScheduleRecord, workspace_id, keys.SCHEDULE_PREFIX, limit, cursor)
        return Page([_schedule(record) for record in records], next_cursor)

    def replace_schedule(self, before: Schedule, after: Schedule) -> None:
        try:
            ScheduleRecord(pk=keys.oncall_pk(before.workspace_id), sk=keys.schedule_sk(before.id)).update(
                actions=[
                    ScheduleRecord.document.set(after.spec.document()),
                    ScheduleRecord.updated_at.set(after.updated_at),
                    ScheduleRecord.version.set(before.version + 1),
                ],
                condition=ScheduleRecord.version == before.version,
            )
        except UpdateError as error:
            if _failed_condition(error):
                raise ConflictError(
                    f"schedule {before.id} was changed or deleted meanwhile; read it and try again", field="schedule_id"
                ) from error
            raise StorageError("storing the schedule failed") from error

    def delete_schedule(self, schedule: Schedule) -> None:
        item = ScheduleRecord(pk=keys.oncall_pk(schedule.workspace_id), sk=keys.schedule_sk(schedule.id))
        try:
            # DynamoDB drops a set its last member leaves: no attribute is no policy naming it.
            item.delete(condition=ScheduleRecord.pk.exists() & ScheduleRecord.policies.does_not_exist())
        except DeleteError as error:
            if not _failed_condition(error):
                raise StorageError("deleting the schedule failed") from error
            current = self.get_schedule(schedule.workspace_id, schedule.id)  # NotFoundError when gone meanwhile
            raise ConflictError(
                f"schedule {schedule.id} is a target of escalation policies {', '.join(sorted(current.policies))}: "
                "take it out of them first",
                field="schedule_id",
                details={"policies": sorted(current.policies)},
            ) from error

    # -- policies -----------------------------------------------------------------------------------------------

    def create_policy(self, policy: Policy) -> None:
        lost = "a service it names was claimed, or a schedule it names deleted, meanwhile; read them and try again"
        with _transaction(self._connection, lost) as transaction:
            transaction.save(self._policy_record(policy), condition=PolicyRecord.pk.does_not_exist())
            self._claim(transaction, policy, policy.spec.services)
            self._name_on_schedules(transaction, policy, policy.spec.schedule_ids)

    def replace_policy(self, before: Policy, after: Policy) -> None:
        lost = f"policy {before.id} changed, a service it names was claimed, or a schedule deleted, meanwhile"
        with _transaction(self._connection, lost) as transaction:
            transaction.update(
                PolicyRecord(pk=keys.oncall_pk(before.workspace_id), sk=keys.policy_sk(before.id)),
                actions=[
                    PolicyRecord.document.set(after.spec.document()),
                    PolicyRecord.updated_at.set(after.updated_at),
                    PolicyRecord.version.set(before.version + 1),
                ],
                condition=PolicyRecord.version == before.version,
            )
            self._claim(transaction, before, set(after.spec.services) - set(before.spec.services))
            self._release(transaction, before, set(before.spec.services) - set(after.spec.services))
            self._name_on_schedules(transaction, before, after.spec.schedule_ids - before.spec.schedule_ids)
            self._unname_on_schedules(transaction, before, before.spec.schedule_ids - after.spec.schedule_ids)

    def delete_policy(self, policy: Policy) -> None:
        with _transaction(self._connection, f"policy {policy.id} changed meanwhile; read it again") as transaction:
            transaction.delete(
                PolicyRecord(pk=keys.oncall_pk(policy.workspace_id), sk=keys.policy_sk(policy.id)),
                condition=PolicyRecord.version == policy.version,
            )
            self._release(transaction, policy, policy.spec.services)
            self._unname_on_schedules(transaction, policy, policy.spec.schedule_ids)

    def get_policy(self, workspace_id: str, policy_id: str) -> Policy:
        try:
            record = PolicyRecord.get(keys.oncall_pk(workspace_id), keys.policy_sk(policy_id), consistent_read=True)
        except PolicyRecord.DoesNotExist as missing:
            raise NotFoundError(f"escalation policy {policy_id} not found", field="policy_id") from missing
        return _policy(record)

    def list_policies(self, workspace_id: str, limit: int, cursor: str | None) -> Page[Policy]:
        records, next_cursor = self._page(PolicyRecord, workspace_id, keys.POLICY_PREFIX, limit, cursor)
        return Page([_policy(record) for record in records], next_cursor)

    def service_owners(self, workspace_id: str, services: Collection[str]) -> dict[str, str]:
        wanted = sorted(set(services))
        owners: dict[str, str] = {}
        for at in range(0, len(wanted), _BATCH):
            item_keys = [(keys.oncall_pk(workspace_id), keys.service_sk(name)) for name in wanted[at : at + _BATCH]]
            for record in ServiceClaimRecord.batch_get(item_keys, consistent_read=True):
                owners[record.service] = record.policy_id
        return owners

    def policy_for_service(self, workspace_id: str, service: str) -> Policy | None:
        try:
            claim = ServiceClaimRecord.get(keys.oncall_pk(workspace_id), keys.service_sk(service), consistent_read=True)
        except ServiceClaimRecord.DoesNotExist:
            return None
        try:
            return self.get_policy(workspace_id, claim.policy_id)
        except NotFoundError:
            return None

    # -- helpers ------------------------------------------------------------------------------------------------

    @staticmethod
    def _policy_record(policy: Policy) -> PolicyRecord:
        return PolicyRecord(
            pk=keys.oncall_pk(policy.workspace_id),
            sk=keys.policy_sk(policy.id),
            policy_id=policy.id,
            workspace_id=policy.workspace_id,
            document=policy.spec.document(),
            version=policy.version,
            created_by=policy.created_by,
            created_at=policy.created_at,
            updated_at=policy.updated_at,
        )

    @staticmethod
    def _claim(transaction: TransactWrite, policy: Policy, services: Collection[str]) -> None:
        for service in sorted(services):
            claim = ServiceClaimRecord(
                pk=keys.oncall_pk(policy.workspace_id),
                sk=keys.service_sk(service),
                workspace_id=policy.workspace_id,
                service=service,
                policy_id=policy.id,
            )
            transaction.save(
                claim, condition=ServiceClaimRecord.pk.does_not_exist() | (ServiceClaimRecord.policy_id == policy.id)
            )

    @staticmethod
    def _release(transaction: TransactWrite, policy: Policy, services: Collection[str]) -> None:
        for service in sorted(services):
            transaction.delete(
                ServiceClaimRecord(pk=keys.oncall_pk(policy.workspace_id), sk=keys.service_sk(service)),
                condition=ServiceClaimRecord.policy_id == policy.id,
            )

    @staticmethod
    def _name_on_schedules(transaction: TransactWrite, policy: Policy, schedule_ids: Collection[str]) -> None:
        for schedule_id in sorted(schedule_ids):
            transaction.update(
                ScheduleRecord(pk=keys.oncall_pk(policy.workspace_id), sk=keys.schedule_sk(schedule_id)),
                actions=[ScheduleRecord.policies.add({policy.id})],
                condition=ScheduleRecord.pk.exists(),
            )

    @staticmethod
    def _unname_on_schedules(transaction: TransactWrite, policy: Policy, schedule_ids: Collection[str]) -> None:
        for schedule_id in sorted(schedule_ids):
            # No condition: a schedule gone (it could not have been, while named) leaves nothing to take the name off.
            transaction.update(
                ScheduleRecord(pk=keys.oncall_pk(policy.workspace_id), sk=keys.schedule_sk(schedule_id)),
                actions=[ScheduleRecord.policies.delete({policy.id})],
            )

    @staticmethod
    def _page(
        record: Any, workspace_id: str, prefix: str, limit: int, cursor: str | None
    ) -> tuple[list[Any], str | None]:
        pk = keys.oncall_pk(workspace_id)
        start = decode_cursor(cursor, partition_attribute="pk", partition_value=pk, sort_prefix=prefix)
        results = record.query(pk, record.sk.startswith(prefix), limit=limit, page_size=limit, last_evaluated_key=start)
        records = list(results)
        return records, encode_cursor(results.last_evaluated_key) if len(records) == limit else None

"""ApprovalStore on DynamoDB. A pending approval is listed by its expiry, so "pending" reads only those still
open and "expired" only those that lapsed, each one Query; a decision moves it to its status' partition in the
same conditional write that decides it, so two deciders racing decide once."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from aisre.core.errors import ConflictError, StorageError
from aisre.core.table.by_id import get_by_id
from aisre.core.table.keys import stamp
from aisre.core.table.paging import decode_cursor, encode_cursor
from aisre.remediation.model.approvals import Approval, ApprovalPage, ApprovalSource, ApprovalStatus
from aisre.remediation.store import keys
from aisre.remediation.store.records import ApprovalLinkRecord, ApprovalRecord


def _listed_at(approval: Approval) -> datetime:
    if approval.status is ApprovalStatus.PENDING or approval.decided_at is None:
        return approval.expires_at
    return approval.decided_at


def _to_record(approval: Approval, retention: timedelta) -> ApprovalRecord:
    stored_status = ApprovalStatus.PENDING if approval.status is ApprovalStatus.EXPIRED else approval.status
    listed = keys.approval_listed(_listed_at(approval), approval.id)
    return ApprovalRecord(
        pk=keys.approval_pk(approval.workspace_id, approval.id),
        sk=keys.APPROVAL_SK,
        gsi1pk=keys.workspace_approvals(approval.workspace_id, stored_status.value),
        gsi1sk=listed,
        gsi2pk=keys.all_approvals(stored_status.value),
        gsi2sk=listed,
        gsi3pk=keys.approval_id_key(approval.id),
        approval_id=approval.id,
        workspace_id=approval.workspace_id,
        status=stored_status.value,
        action=approval.action,
        arguments=approval.arguments,
        incident_id=approval.incident_id,
        source=approval.source.value,
        suggestion_key=approval.suggestion_key,
        reason=approval.reason or None,
        policy_name=approval.policy_name or None,
        requested_by=approval.requested_by,
        requested_at=approval.requested_at,
        expires_at=approval.expires_at,
        note=approval.note,
        decided_by=approval.decided_by,
        decided_at=approval.decided_at,
        comment=approval.comment,
        execution_id=approval.execution_id,
        runbook_run_id=approval.runbook_run_id,
        runbook_step=approval.runbook_step,
        workflow_run_id=approval.workflow_run_id,
        workflow_step=approval.workflow_step,
        dry_run=approval.dry_run or None,
        task_token=approval.task_token,
        ttl=approval.requested_at + retention,
    )


def _from_record(record: ApprovalRecord) -> Approval:
    return Approval(
        id=record.approval_id,
        workspace_id=record.workspace_id,
        status=ApprovalStatus(record.status),
        action=record.action,
        arguments=record.arguments or {},
        incident_id=record.incident_id,
        source=ApprovalSource(record.source),
        suggestion_key=record.suggestion_key,
        reason=record.reason or "",
        policy_name=record.policy_name or "",
        requested_by=record.requested_by,
        requested_at=record.requested_at,
        expires_at=record.expires_at,
        note=record.note,
        decided_by=record.decided_by,
        decided_at=record.decided_at,
        comment=record.comment,
        execution_id=record.execution_id,
        runbook_run_id=record.runbook_run_id,
        runbook_step=int(record.runbook_step) if record.runbook_step is not None else None,
        workflow_run_id=record.workflow_run_id,
        workflow_step=record.workflow_step,
        dry_run=bool(record.dry_run),
        task_token=record.task_token,
    )


def _condition_failed(error: PynamoDBException) -> bool:
    if error.cause_response_code == "ConditionalCheckFailedException":
        return True
    reasons = getattr(error, "cancellation_reasons", None) or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)


class DynamoApprovalStore:
    def __init__(self, connection: Connection, retention: timedelta):
        self._connection = connection
        self._retention = retention

    def create_approval(self, approval: Approval) -> None:
        record = _to_record(approval, self._retention)
        try:
            if approval.incident_id is None:
                record.save(condition=ApprovalRecord.pk.does_not_exist())
                return
            link = ApprovalLinkRecord(
                pk=keys.incident_pk(approval.workspace_id, approval.incident_id),
                sk=keys.approval_link_sk(approval.requested_at, approval.id),
                approval_id=approval.id,
                action=approval.action,
                suggestion_key=approval.suggestion_key,
                requested_at=approval.requested_at,
                ttl=approval.requested_at + self._retention,
            )
            with TransactWrite(connection=self._connection) as tx:
                tx.save(record, condition=ApprovalRecord.pk.does_not_exist())
                tx.save(link)
        except (TransactWriteError, PutError) as error:
            if _condition_failed(error):
                # Only a workflow step's approval has an id of its own making (its run and step): asked again.
                raise ConflictError(f"approval {approval.id} exists already") from error
            raise StorageError("storing the approval request failed") from error
        except PynamoDBException as error:
            raise StorageError("storing the approval request failed") from error

    def set_task_token(self, workspace_id: str, approval_id: str, task_token: str, now: datetime) -> None:
        """A workflow step asked again for its approval (its Task retried, with a new token): the pending request
        takes the new token, so that deciding it resumes the attempt that waits."""
        record = ApprovalRecord(pk=keys.approval_pk(workspace_id, approval_id), sk=keys.APPROVAL_SK)
        try:
            record.update(
                actions=[ApprovalRecord.task_token.set(task_token)],
                condition=(ApprovalRecord.status == ApprovalStatus.PENDING.value)
                & (ApprovalRecord.expires_at > now)
                & ApprovalRecord.workflow_run_id.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise ConflictError(f"approval {approval_id} was decided meanwhile") from error
            raise StorageError("recording the approval's task token failed") from error

    def get_approval(self, workspace_id: str | None, approval_id: str) -> Approval:
        record = get_by_id(
            ApprovalRecord,
            workspace_id,
            id_key=keys.approval_id_key(approval_id),
            key=lambda workspace: (keys.approval_pk(workspace, approval_id), keys.APPROVAL_SK),
            what=f"approval {approval_id}",
            field="approval_id",
        )
        return _from_record(record)

    def decide_approval(self, approval: Approval, now: datetime) -> None:
        listed = keys.approval_listed(_listed_at(approval), approval.id)
        record = ApprovalRecord(pk=keys.approval_pk(approval.workspace_id, approval.id), sk=keys.APPROVAL_SK)
        actions: list[Action] = [
            ApprovalRecord.status.set(approval.status.value),
            ApprovalRecord.gsi1pk.set(keys.workspace_approvals(approval.workspace_id, approval.status.value)),
            ApprovalRecord.gsi1sk.set(listed),
            ApprovalRecord.gsi2pk.set(keys.all_approvals(approval.status.value)),
            ApprovalRecord.gsi2sk.set(listed),
        ]
        for attribute, value in (
            (ApprovalRecord.decided_by, approval.decided_by),
            (ApprovalRecord.comment, approval.comment),
            (ApprovalRecord.execution_id, approval.execution_id),
        ):
            if value is not None:
                actions.append(attribute.set(value))
        if approval.decided_at is not None:
            actions.append(ApprovalRecord.decided_at.set(approval.decided_at))
        try:
            record.update(
                actions=actions,
                # Decided once: only a pending request that has not lapsed can take a decision.
                condition=(ApprovalRecord.status == ApprovalStatus.PENDING.value) & (ApprovalRecord.expires_at > now),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise ConflictError(f"approval {approval.id} was decided meanwhile") from error
            raise StorageError("recording the decision failed") from error

    def list_approvals(
        self, workspace_id: str | None, status: ApprovalStatus | None, limit: int, cursor: str | None, now: datetime
    ) -> ApprovalPage:
        wanted = status or ApprovalStatus.PENDING
        stored = ApprovalStatus.PENDING if wanted is ApprovalStatus.EXPIRED else wanted
        moment = stamp(now)
        if workspace_id is not None:
            attribute, partition = "gsi1pk", keys.workspace_approvals(workspace_id, stored.value)
            sort_key = ApprovalRecord.gsi1sk
        else:
            attribute, partition = "gsi2pk", keys.all_approvals(stored.value)
            sort_key = ApprovalRecord.gsi2sk
        start = decode_cursor(cursor, partition_attribute=attribute, partition_value=partition)
        if wanted is ApprovalStatus.PENDING:
            condition = sort_key > moment  # expiring after now: still open
        elif wanted is ApprovalStatus.EXPIRED:
            condition = sort_key <= moment
        else:
            condition = None
        index = ApprovalRecord.by_workspace if workspace_id is not None else ApprovalRecord.across_workspaces
        results = index.query(
            partition,
            condition,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
        )
        items = [_from_record(record) for record in results]
        next_cursor = encode_cursor(results.last_evaluated_key) if len(items) == limit else None
        return ApprovalPage(items=items, cursor=next_cursor)

    def approvals_of_incident(self, workspace_id: str, incident_id: str) -> list[Approval]:
        links = ApprovalLinkRecord.query(
            keys.incident_pk(workspace_id, incident_id),
            ApprovalLinkRecord.sk.startswith(keys.APPROVAL_LINK_PREFIX),
        )
        found = []
        wanted = [(keys.approval_pk(workspace_id, link.approval_id), keys.APPROVAL_SK) for link in links]
        for record in ApprovalRecord.batch_get(wanted, consistent_read=True):
            found.append(_from_record(record))
        return sorted(found, key=lambda approval: approval.requested_at)

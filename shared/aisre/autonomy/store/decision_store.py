"""DecisionStore on DynamoDB: a decision is claimed with a conditional put (no decision there, or one that no
longer holds: not done and past its lease), so two cycles running at once act on a suggestion once."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError, PynamoDBException, UpdateError
from pynamodb.expressions.update import Action

from aisre.autonomy.model.config import Mode
from aisre.autonomy.model.cycle import Decision, DecisionStatus
from aisre.autonomy.store import keys
from aisre.autonomy.store.records import DecisionRecord
from aisre.core.errors import StorageError


def _from_record(record: DecisionRecord) -> Decision:
    return Decision(
        workspace_id=record.workspace_id,
        incident_id=record.incident_id,
        suggestion_key=record.suggestion_key,
        mode=Mode(record.mode),
        action=record.action,
        arguments=record.arguments or {},
        cycle_id=record.cycle_id,
        status=DecisionStatus(record.status),
        claimed_at=record.claimed_at,
        lease_until=record.lease_until,
        finished_at=record.finished_at,
        outcome=record.outcome,
    )


class DynamoDecisionStore:
    def __init__(self, retention: timedelta):
        self._retention = retention

    def decisions_of(self, workspace_id: str, incident_id: str, mode: str) -> dict[str, Decision]:
        records = DecisionRecord.query(
            keys.incident_pk(workspace_id, incident_id),
            DecisionRecord.sk.startswith(keys.decisions_sk_prefix(mode)),
            consistent_read=True,
        )
        return {record.suggestion_key: _from_record(record) for record in records}

    def claim(self, decision: Decision, now: datetime) -> bool:
        record = DecisionRecord(
            pk=keys.incident_pk(decision.workspace_id, decision.incident_id),
            sk=keys.decision_sk(decision.mode.value, decision.suggestion_key),
            workspace_id=decision.workspace_id,
            incident_id=decision.incident_id,
            suggestion_key=decision.suggestion_key,
            mode=decision.mode.value,
            action=decision.action,
            arguments=decision.arguments,
            cycle_id=decision.cycle_id,
            status=decision.status.value,
            claimed_at=decision.claimed_at,
            lease_until=decision.lease_until,
            ttl=decision.claimed_at + self._retention,
        )
        free = DecisionRecord.pk.does_not_exist() | (
            (DecisionRecord.status != DecisionStatus.DONE.value) & (DecisionRecord.lease_until <= now)
        )
        try:
            record.save(condition=free)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise StorageError("claiming the autonomy decision failed") from error
        return True

    def finish(self, decision: Decision) -> None:
        record = DecisionRecord(
            pk=keys.incident_pk(decision.workspace_id, decision.incident_id),
            sk=keys.decision_sk(decision.mode.value, decision.suggestion_key),
        )
        actions: list[Action] = [
            DecisionRecord.status.set(decision.status.value),
            DecisionRecord.lease_until.set(decision.lease_until),
            DecisionRecord.outcome.set(decision.outcome),
        ]
        if decision.finished_at is not None:
            actions.append(DecisionRecord.finished_at.set(decision.finished_at))
        try:
            record.update(actions=actions, condition=DecisionRecord.cycle_id == decision.cycle_id)
        except (UpdateError, PynamoDBException) as error:
            raise StorageError("recording the autonomy decision failed") from error

"""TriggerStore on DynamoDB: a workspace's triggers (listed per workspace on gsi1, found by id on gsi3), changed
under a version; each run of one is an item in the trigger's partition, newest last by key, aging out by TTL."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from aisre.core.errors import StorageError
from aisre.core.table.by_id import get_item
from aisre.core.table.conditional import create_new, delete_existing, replace_if_version
from aisre.core.table.listing import list_newest
from aisre.notifications.model.triggers import RunOutcome, Trigger, TriggerRun, parse_action, parse_conditions
from aisre.notifications.store import hooks_keys as keys
from aisre.notifications.store.hooks_records import TriggerRecord, TriggerRunRecord


def _from_record(record: TriggerRecord) -> Trigger:
    # Stored as the model wrote them: parsing again only gives them their types back.
    return Trigger(
        id=record.trigger_id,
        workspace_id=record.workspace_id,
        name=record.name,
        event_type=record.event_type,
        conditions=parse_conditions(record.conditions or {}),
        action=parse_action(record.action),
        enabled=bool(record.enabled),
        description=record.description,
        created_at=record.created_at,
        updated_at=record.updated_at,
        created_by=record.created_by,
        version=int(record.version or 1),
    )


def _to_record(trigger: Trigger) -> TriggerRecord:
    assert trigger.created_at is not None
    return TriggerRecord(
        **keys.TRIGGERS.of_item(trigger.workspace_id, trigger.id, trigger.created_at),
        trigger_id=trigger.id,
        workspace_id=trigger.workspace_id,
        name=trigger.name,
        event_type=trigger.event_type,
        conditions=trigger.conditions.to_config() or None,
        action=trigger.action.to_dict(),
        enabled=trigger.enabled,
        description=trigger.description,
        created_by=trigger.created_by,
        created_at=trigger.created_at,
        updated_at=trigger.updated_at or trigger.created_at,
        version=trigger.version,
    )


def _run_from_record(record: TriggerRunRecord) -> TriggerRun:
    return TriggerRun(
        id=record.run_id,
        workspace_id=record.workspace_id,
        trigger_id=record.trigger_id,
        at=record.at,
        event_id=record.event_id,
        event_type=record.event_type,
        incident_id=record.incident_id,
        action=record.action or {},
        outcome=RunOutcome(record.outcome),
        detail=record.detail or "",
        error=record.error,
        reference=record.reference,
    )


class DynamoTriggerStore:
    def create_trigger(self, trigger: Trigger) -> None:
        create_new(_to_record(trigger), kind="trigger", item_id=trigger.id)

    def get_trigger(self, workspace_id: str | None, trigger_id: str) -> Trigger:
        record = get_item(TriggerRecord, workspace_id, keys.TRIGGERS, trigger_id, kind="trigger", field="trigger_id")
        return _from_record(record)

    def list_triggers(self, workspace_id: str | None, limit: int) -> list[Trigger]:
        return [_from_record(record) for record in list_newest(TriggerRecord, workspace_id, keys.TRIGGERS, limit)]

    def replace_trigger(self, trigger: Trigger, read_version: int) -> None:
        replace_if_version(
            _to_record(trigger),
            TriggerRecord.version,
            read_version,
            kind="trigger",
            item_id=trigger.id,
            field="trigger_id",
        )

    def delete_trigger(self, trigger: Trigger) -> None:
        record = TriggerRecord(pk=keys.TRIGGERS.pk(trigger.workspace_id, trigger.id), sk=keys.META)
        delete_existing(record, kind="trigger", item_id=trigger.id, field="trigger_id")

    def add_run(self, run: TriggerRun, expires_at: datetime) -> None:
        record = TriggerRunRecord(
            pk=keys.TRIGGERS.pk(run.workspace_id, run.trigger_id),
            sk=keys.run_sk(run.at, run.id),
            run_id=run.id,
            workspace_id=run.workspace_id,
            trigger_id=run.trigger_id,
            at=run.at,
            event_id=run.event_id,
            event_type=run.event_type,
            incident_id=run.incident_id,
            action=dict(run.action),
            outcome=run.outcome.value,
            detail=run.detail or None,
            error=run.error,
            reference=run.reference,
            ttl=expires_at,
        )
        try:
            record.save()
        except PutError as error:
            raise StorageError("recording the trigger's run failed") from error

    def list_runs(self, workspace_id: str, trigger_id: str, limit: int) -> list[TriggerRun]:
        results = TriggerRunRecord.query(
            keys.TRIGGERS.pk(workspace_id, trigger_id),
            TriggerRunRecord.sk.startswith(keys.RUN_PREFIX),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
        return [_run_from_record(record) for record in results]

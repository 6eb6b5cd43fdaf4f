"""Saved runbooks and runbook runs on DynamoDB. A saved runbook is its document (validated again when read, as
an import is); a run is one item beside its incident, every change conditioned on the version it was made from,
so two requests carrying the same run on cannot both record a step."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError

from aisre.core.errors import StorageError
from aisre.remediation.model.runbook_documents import (
    RunbookSource,
    StoredRunbook,
    parse_runbook,
    runbook_document,
)
from aisre.remediation.model.runbook_runs import RunbookRun
from aisre.remediation.store import keys
from aisre.remediation.store.records import RunbookRunRecord, SavedRunbookRecord

_CONDITION_FAILED = "ConditionalCheckFailedException"


def _to_stored(record: SavedRunbookRecord) -> StoredRunbook:
    return StoredRunbook(
        runbook=parse_runbook(record.document),
        source=RunbookSource(record.source),
        workspace_id=record.workspace_id,
        saved_by=record.saved_by,
        saved_at=record.saved_at,
        version=int(record.version),
    )


def _put(record: Any, condition: Any, what: str) -> bool:
    try:
        record.save(condition=condition)
    except PutError as error:
        if error.cause_response_code == _CONDITION_FAILED:
            return False
        raise StorageError(f"storing the {what} failed") from error
    return True


class DynamoRunbookStore:
    def saved_runbooks(self, workspace_id: str) -> list[StoredRunbook]:
        results = SavedRunbookRecord.query(
            keys.workspace_runbooks(workspace_id),
            SavedRunbookRecord.sk.startswith(keys.SAVED_RUNBOOK_PREFIX),
        )
        return [_to_stored(record) for record in results]

    def get_saved(self, workspace_id: str, runbook_id: str) -> StoredRunbook | None:
        try:
            record = SavedRunbookRecord.get(
                keys.workspace_runbooks(workspace_id), keys.saved_runbook_sk(runbook_id), consistent_read=True
            )
        except SavedRunbookRecord.DoesNotExist:
            return None
        return _to_stored(record)

    def save_runbook(self, stored: StoredRunbook) -> bool:
        assert stored.workspace_id and stored.saved_by and stored.saved_at
        record = SavedRunbookRecord(
            pk=keys.workspace_runbooks(stored.workspace_id),
            sk=keys.saved_runbook_sk(stored.runbook.id),
            workspace_id=stored.workspace_id,
            runbook_id=stored.runbook.id,
            document=runbook_document(stored.runbook),
            source=stored.source.value,
            saved_by=stored.saved_by,
            saved_at=stored.saved_at,
            version=stored.version,
        )
        condition = (
            SavedRunbookRecord.pk.does_not_exist()
            if stored.version <= 1
            else SavedRunbookRecord.version == stored.version - 1
        )
        return _put(record, condition, "runbook")


def _run_record(run: RunbookRun) -> RunbookRunRecord:
    return RunbookRunRecord(
        pk=keys.incident_pk(run.workspace_id, run.incident_id),
        sk=keys.run_sk(run.id),
        workspace_id=run.workspace_id,
        incident_id=run.incident_id,
        run_id=run.id,
        runbook_id=run.runbook_id,
        status=run.status.value,
        version=run.version,
        started_at=run.started_at,
        body=run.model_dump(mode="json", exclude={"steps": {"__all__": {"approval_status"}}}),
    )


def _from_run_record(record: RunbookRunRecord) -> RunbookRun:
    return RunbookRun.model_validate(record.body)


class DynamoRunStore:
    def create_run(self, run: RunbookRun) -> bool:
        return _put(_run_record(run), RunbookRunRecord.pk.does_not_exist(), "runbook run")

    def get_run(self, workspace_id: str, incident_id: str, run_id: str) -> RunbookRun | None:
        try:
            record = RunbookRunRecord.get(
                keys.incident_pk(workspace_id, incident_id), keys.run_sk(run_id), consistent_read=True
            )
        except RunbookRunRecord.DoesNotExist:
            return None
        return _from_run_record(record)

    def save_run(self, run: RunbookRun, expected_version: int) -> bool:
        return _put(_run_record(run), RunbookRunRecord.version == expected_version, "runbook run")

    def runs_of_incident(self, workspace_id: str, incident_id: str) -> list[RunbookRun]:
        results = RunbookRunRecord.query(
            keys.incident_pk(workspace_id, incident_id), RunbookRunRecord.sk.startswith(keys.RUN_PREFIX)
        )
        return sorted((_from_run_record(record) for record in results), key=lambda run: run.started_at)

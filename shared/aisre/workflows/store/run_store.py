"""RunStore on DynamoDB: one item per run, its definition's steps copied in (the status reads the run's history
against the steps it ran, whatever became of the workflow since); its status view kept once it finished."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from aisre.core.errors import StorageError
from aisre.core.table.by_id import get_item
from aisre.workflows.model.definition import WorkflowStep
from aisre.workflows.model.runs import RunStatus, WorkflowRun
from aisre.workflows.store import keys
from aisre.workflows.store.records import RunRecord


def _from_record(record: RunRecord) -> WorkflowRun:
    return WorkflowRun(
        id=record.run_id,
        workspace_id=record.workspace_id,
        workflow_id=record.workflow_id,
        workflow_name=record.workflow_name,
        builtin=bool(record.builtin),
        steps=tuple(WorkflowStep.model_validate(step) for step in record.steps or []),
        state_machine_arn=record.state_machine_arn,
        execution_arn=record.execution_arn,
        principal=record.principal,
        dry_run=bool(record.dry_run),
        context=record.context or {},
        incident_id=record.incident_id,
        started_at=record.started_at,
        status=RunStatus(record.status),
        finished_at=record.finished_at,
        final=record.final,
    )


class DynamoRunStore:
    def __init__(self, retention: timedelta):
        self._retention = retention

    def create_run(self, run: WorkflowRun) -> None:
        record = RunRecord(
            **keys.RUNS.of_item(run.workspace_id, run.id, run.started_at),
            run_id=run.id,
            workspace_id=run.workspace_id,
            workflow_id=run.workflow_id,
            workflow_name=run.workflow_name,
            builtin=run.builtin,
            steps=[step.model_dump(mode="json", exclude_none=True) for step in run.steps],
            state_machine_arn=run.state_machine_arn,
            execution_arn=run.execution_arn,
            principal=run.principal,
            dry_run=run.dry_run,
            context=run.context or None,
            incident_id=run.incident_id,
            started_at=run.started_at,
            status=run.status.value,
            ttl=run.started_at + self._retention,
        )
        try:
            record.save(condition=RunRecord.pk.does_not_exist())
        except PutError as error:
            raise StorageError("storing the workflow run failed") from error

    def get_run(self, workspace_id: str | None, run_id: str) -> WorkflowRun:
        record = get_item(RunRecord, workspace_id, keys.RUNS, run_id, kind="workflow run", field="run_id")
        return _from_record(record)

    def finish_run(
        self, run: WorkflowRun, status: RunStatus, finished_at: datetime | None, final: dict[str, Any]
    ) -> None:
        actions: list[Action] = [RunRecord.status.set(status.value), RunRecord.final.set(final)]
        if finished_at is not None:
            actions.append(RunRecord.finished_at.set(finished_at))
        try:
            record = RunRecord(pk=keys.RUNS.pk(run.workspace_id, run.id), sk=keys.META)
            record.update(actions=actions, condition=RunRecord.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return  # aged out meanwhile: there is nothing left to keep the view on
            raise StorageError("recording the workflow run's end failed") from error

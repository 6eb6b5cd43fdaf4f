"""WorkflowStore on DynamoDB: a workspace's own workflows, their steps inline, changed under a version so that two
writers adding steps at once cannot lose one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.exceptions import UpdateError

from aisre.core.errors import ConflictError, NotFoundError, StorageError
from aisre.core.table.by_id import get_item
from aisre.core.table.conditional import condition_failed, create_new, delete_existing
from aisre.core.table.listing import list_newest
from aisre.workflows.model.definition import Workflow, WorkflowStep
from aisre.workflows.store import keys
from aisre.workflows.store.records import WorkflowRecord


def _steps_data(steps: Sequence[WorkflowStep]) -> list[dict[str, object]]:
    return [step.model_dump(mode="json", exclude_none=True) for step in steps]


def _from_record(record: WorkflowRecord) -> Workflow:
    return Workflow(
        id=record.workflow_id,
        workspace_id=record.workspace_id,
        name=record.name,
        description=record.description or "",
        is_template=bool(record.is_template),
        config=record.config or {},
        steps=tuple(WorkflowStep.model_validate(step) for step in record.steps or []),
        created_by=record.created_by,
        created_at=record.created_at,
        updated_at=record.updated_at,
        version=int(record.version or 1),
        state_machine_arns=tuple(sorted(record.state_machine_arns or ())),
    )


def _key(workspace_id: str, workflow_id: str) -> WorkflowRecord:
    return WorkflowRecord(pk=keys.WORKFLOWS.pk(workspace_id, workflow_id), sk=keys.META)


class DynamoWorkflowStore:
    def create_workflow(self, workflow: Workflow) -> None:
        assert workflow.workspace_id is not None and workflow.created_at is not None
        record = WorkflowRecord(
            **keys.WORKFLOWS.of_item(workflow.workspace_id, workflow.id, workflow.created_at),
            workflow_id=workflow.id,
            workspace_id=workflow.workspace_id,
            name=workflow.name,
            description=workflow.description or None,
            is_template=workflow.is_template,
            config=workflow.config or None,
            steps=_steps_data(workflow.steps),
            version=workflow.version,
            created_by=workflow.created_by,
            created_at=workflow.created_at,
            updated_at=workflow.updated_at or workflow.created_at,
        )
        create_new(record, kind="workflow", item_id=workflow.id)

    def get_workflow(self, workspace_id: str | None, workflow_id: str) -> Workflow:
        record = get_item(
            WorkflowRecord, workspace_id, keys.WORKFLOWS, workflow_id, kind="workflow", field="workflow_id"
        )
        return _from_record(record)

    def list_workflows(self, workspace_id: str | None, limit: int) -> list[Workflow]:
        return [_from_record(record) for record in list_newest(WorkflowRecord, workspace_id, keys.WORKFLOWS, limit)]

    def replace_steps(self, workflow: Workflow, steps: Sequence[WorkflowStep], now: datetime) -> Workflow:
        assert workflow.workspace_id is not None
        record = _key(workflow.workspace_id, workflow.id)
        try:
            record.update(
                actions=[
                    WorkflowRecord.steps.set(_steps_data(steps)),
                    WorkflowRecord.version.set(workflow.version + 1),
                    WorkflowRecord.updated_at.set(now),
                ],
                condition=WorkflowRecord.version == workflow.version,
            )
        except UpdateError as error:
            if condition_failed(error):
                raise ConflictError(
                    f"workflow {workflow.id} was changed or deleted meanwhile; read it and try again"
                ) from error
            raise StorageError("storing the workflow's steps failed") from error
        return workflow.model_copy(update={"steps": tuple(steps), "version": workflow.version + 1, "updated_at": now})

    def add_state_machine(self, workflow: Workflow, arn: str) -> None:
        assert workflow.workspace_id is not None
        try:
            _key(workflow.workspace_id, workflow.id).update(
                actions=[WorkflowRecord.state_machine_arns.add({arn})], condition=WorkflowRecord.pk.exists()
            )
        except UpdateError as error:
            if condition_failed(error):
                raise NotFoundError(f"workflow {workflow.id} not found", field="workflow_id") from error
            raise StorageError("recording the workflow's state machine failed") from error

    def delete_workflow(self, workflow: Workflow) -> None:
        assert workflow.workspace_id is not None
        delete_existing(
            _key(workflow.workspace_id, workflow.id), kind="workflow", item_id=workflow.id, field="workflow_id"
        )

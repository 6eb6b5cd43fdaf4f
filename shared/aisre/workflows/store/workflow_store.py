"""WorkflowStore on DynamoDB: a workspace's own workflows, their steps inline, changed under a version so that two
writers adding steps at once cannot lose one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from aisre.core.errors import ConflictError, NotFoundError, StorageError
from aisre.core.table.by_id import get_by_id
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
    return WorkflowRecord(pk=keys.workflow_pk(workspace_id, workflow_id), sk=keys.META)


def _condition_failed(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class DynamoWorkflowStore:
    def create_workflow(self, workflow: Workflow) -> None:
        assert workflow.workspace_id is not None and workflow.created_at is not None
        listed = keys.listed(workflow.created_at, workflow.id)
        record = WorkflowRecord(
            pk=keys.workflow_pk(workflow.workspace_id, workflow.id),
            sk=keys.META,
            gsi1pk=keys.workspace_workflows(workflow.workspace_id),
            gsi1sk=listed,
            gsi2pk=keys.ALL_WORKFLOWS,
            gsi2sk=listed,
            gsi3pk=keys.workflow_id_key(workflow.id),
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
        try:
            record.save(condition=WorkflowRecord.pk.does_not_exist())
        except PutError as error:
            if _condition_failed(error):
                raise ConflictError(f"workflow {workflow.id} exists already") from error
            raise StorageError("storing the workflow failed") from error

    def get_workflow(self, workspace_id: str | None, workflow_id: str) -> Workflow:
        record = get_by_id(
            WorkflowRecord,
            workspace_id,
            id_key=keys.workflow_id_key(workflow_id),
            key=lambda workspace: (keys.workflow_pk(workspace, workflow_id), keys.META),
            what=f"workflow {workflow_id}",
            field="workflow_id",
        )
        return _from_record(record)

    def list_workflows(self, workspace_id: str | None, limit: int) -> list[Workflow]:
        if workspace_id is not None:
            results = WorkflowRecord.by_workspace.query(
                keys.workspace_workflows(workspace_id), scan_index_forward=False, limit=limit, page_size=limit
            )
        else:
            results = WorkflowRecord.across_workspaces.query(
                keys.ALL_WORKFLOWS, scan_index_forward=False, limit=limit, page_size=limit
            )
        return [_from_record(record) for record in results]

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
            if _condition_failed(error):
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
            if _condition_failed(error):
                raise NotFoundError(f"workflow {workflow.id} not found", field="workflow_id") from error
            raise StorageError("recording the workflow's state machine failed") from error

    def delete_workflow(self, workflow: Workflow) -> None:
        assert workflow.workspace_id is not None
        try:
            _key(workflow.workspace_id, workflow.id).delete(condition=WorkflowRecord.pk.exists())
        except DeleteError as error:
            if _condition_failed(error):
                raise NotFoundError(f"workflow {workflow.id} not found", field="workflow_id") from error
            raise StorageError("deleting the workflow failed") from error

"""The workflows' records in the single table: a workspace's own workflows and every run (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from aisre.core.table.records import GlobalIndex, IdIndex, ListedRecord, WorkspaceIndex


class WorkflowRecord(ListedRecord):
    """A workspace's own workflow: its steps inline (at most MAX_STEPS, each bounded), changed under `version`."""

    by_workspace = WorkspaceIndex["WorkflowRecord"]()
    across_workspaces = GlobalIndex["WorkflowRecord"]()
    by_id = IdIndex["WorkflowRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    workflow_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    is_template = BooleanAttribute(default=False)
    config = JSONAttribute(null=True)
    steps = JSONAttribute()
    version = NumberAttribute(default=1)
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    state_machine_arns = UnicodeSetAttribute(null=True)


class RunRecord(ListedRecord):
    """One run of a workflow: what was started, as which execution; its status view once it finished."""

    by_workspace = WorkspaceIndex["RunRecord"]()
    across_workspaces = GlobalIndex["RunRecord"]()
    by_id = IdIndex["RunRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    run_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    workflow_id = UnicodeAttribute()
    workflow_name = UnicodeAttribute()
    builtin = BooleanAttribute(default=False)
    steps = JSONAttribute()
    state_machine_arn = UnicodeAttribute()
    execution_arn = UnicodeAttribute()
    principal = UnicodeAttribute()
    dry_run = BooleanAttribute(default=True)
    context = JSONAttribute(null=True)
    incident_id = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    final = JSONAttribute(null=True)
    ttl = TTLAttribute(null=True)

"""The remediation's records in the single table: executions, rate-limit slots, approvals and their links
beside incidents, saved runbooks, and runbook runs beside their incidents (docs/data-model.md)."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from aisre.core.table.records import GlobalIndex, IdIndex, ListedRecord, Record, WorkspaceIndex


class ExecutionRecord(ListedRecord):
    """One execution of a catalog action, claimed before the cluster is touched; its id derives from its key."""

    by_workspace = WorkspaceIndex["ExecutionRecord"]()
    across_workspaces = GlobalIndex["ExecutionRecord"]()
    by_id = IdIndex["ExecutionRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    execution_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    idempotency_key = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    action = UnicodeAttribute()
    arguments = JSONAttribute()
    incident_id = UnicodeAttribute(null=True)
    approval_id = UnicodeAttribute(null=True)
    principal = UnicodeAttribute()
    status = UnicodeAttribute()
    attempt = NumberAttribute(default=1)
    started_at = UTCDateTimeAttribute()
    lease_until = UTCDateTimeAttribute()
    reusable_after = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    outcome = JSONAttribute(null=True)
    before = JSONAttribute(null=True)
    ttl = TTLAttribute(null=True)


class RateSlotRecord(Record):
    """One of a rate limit's N slots, taken by one execution for one window."""

    taken_at = UTCDateTimeAttribute()
    execution_id = UnicodeAttribute()
    ttl = TTLAttribute(null=True)


class ApprovalRecord(ListedRecord):
    by_workspace = WorkspaceIndex["ApprovalRecord"]()
    across_workspaces = GlobalIndex["ApprovalRecord"]()
    by_id = IdIndex["ApprovalRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    approval_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    status = UnicodeAttribute()
    action = UnicodeAttribute()
    arguments = JSONAttribute()
    incident_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute()
    suggestion_key = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    policy_name = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    note = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    execution_id = UnicodeAttribute(null=True)
    runbook_run_id = UnicodeAttribute(null=True)
    runbook_step = NumberAttribute(null=True)
    workflow_run_id = UnicodeAttribute(null=True)
    workflow_step = UnicodeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)  # a waiting workflow run's; never shown
    dry_run = BooleanAttribute(null=True)  # asked for a rehearsal; absent on older items: a real run
    ttl = TTLAttribute(null=True)


class ApprovalLinkRecord(Record):
    """Beside an incident: an approval asked for one of its actions (a diagnosis' suggestion, by its key)."""

    approval_id = UnicodeAttribute()
    action = UnicodeAttribute()
    suggestion_key = UnicodeAttribute(null=True)
    requested_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)


class SavedRunbookRecord(Record):
    """A workspace's saved runbook: its document (model/runbook_documents.py), where it came from, who saved it."""

    workspace_id = UnicodeAttribute()
    runbook_id = UnicodeAttribute()
    document = JSONAttribute()
    source = UnicodeAttribute()
    saved_by = UnicodeAttribute()
    saved_at = UTCDateTimeAttribute()
    version = NumberAttribute()


class RunbookRunRecord(Record):
    """A runbook run beside its incident: its steps and their results, changed under its version."""

    workspace_id = UnicodeAttribute()
    incident_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    runbook_id = UnicodeAttribute()
    status = UnicodeAttribute()
    version = NumberAttribute()
    started_at = UTCDateTimeAttribute()
    body = JSONAttribute()

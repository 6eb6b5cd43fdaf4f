"""The incidents' records in the single table: incidents, their timeline, children, actions, noisy entries,
fingerprint claims, service anchors, deploys (docs/data-model.md)."""

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


class IncidentRecord(ListedRecord):
    by_workspace = WorkspaceIndex["IncidentRecord"]()
    across_workspaces = GlobalIndex["IncidentRecord"]()
    by_id = IdIndex["IncidentRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    severity = UnicodeAttribute()
    state = UnicodeAttribute()
    source = UnicodeAttribute()
    provider = UnicodeAttribute()
    service = UnicodeAttribute(null=True)
    namespace = UnicodeAttribute(null=True)
    pod = UnicodeAttribute(null=True)
    deployment = UnicodeAttribute(null=True)
    fingerprint = UnicodeAttribute()
    fingerprint_kind = UnicodeAttribute(null=True)
    labels = JSONAttribute(null=True)
    annotations = JSONAttribute(null=True)
    links = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    acknowledged_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    duration_seconds = NumberAttribute(null=True)
    alert_count = NumberAttribute(default=1)
    last_alert_at = UTCDateTimeAttribute(null=True)
    group_id = UnicodeAttribute(null=True)
    correlation_reason = UnicodeAttribute(null=True)
    deploy_correlation = JSONAttribute(null=True)
    actions_taken = NumberAttribute(default=0)
    external_id = UnicodeAttribute(null=True)
    truncated_fields = JSONAttribute(null=True)
    raw_payload_id = UnicodeAttribute(null=True)


class NoisyEntryRecord(ListedRecord):
    """Beside a resolved incident that is a noisy candidate (model/noisy.py), listed by duration group and
    resolution time: /incidents/noisy reads these, never the incidents that do not qualify. What it copies
    of the incident is final once resolved."""

    by_workspace = WorkspaceIndex["NoisyEntryRecord"]()
    across_workspaces = GlobalIndex["NoisyEntryRecord"]()

    id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    title = UnicodeAttribute()
    severity = UnicodeAttribute()
    service = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    resolved_at = UTCDateTimeAttribute()
    duration_seconds = NumberAttribute()
    alert_count = NumberAttribute()


class TimelineEventRecord(Record):
    incident_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    actor = UnicodeAttribute()
    payload = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class ChildLinkRecord(Record):
    child_id = UnicodeAttribute()
    correlation_reason = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class ActionItemRecord(ListedRecord):
    by_workspace = WorkspaceIndex["ActionItemRecord"]()
    across_workspaces = GlobalIndex["ActionItemRecord"]()
    incident_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    action = UnicodeAttribute()
    outcome = UnicodeAttribute()
    actor = UnicodeAttribute()
    dry_run = BooleanAttribute(default=False)
    namespace = UnicodeAttribute(null=True)
    details = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class FingerprintRecord(Record):
    """Exists exactly while an incident owning this fingerprint is open (see docs/data-model.md)."""

    incident_id = UnicodeAttribute()
    alert_count = NumberAttribute(default=1)
    last_alert_at = UTCDateTimeAttribute()
    opened_at = UTCDateTimeAttribute()
    group_id = UnicodeAttribute(null=True)


class AnchorRecord(Record):
    incident_id = UnicodeAttribute()
    opened_at = UTCDateTimeAttribute()


class DeployRecord(ListedRecord):
    by_workspace = WorkspaceIndex["DeployRecord"]()
    across_workspaces = GlobalIndex["DeployRecord"]()
    by_id = IdIndex["DeployRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    deploy_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    service = UnicodeAttribute()
    namespace = UnicodeAttribute(null=True)
    environment = UnicodeAttribute(null=True)
    image = UnicodeAttribute(null=True)
    version = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)
    commit_sha = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    timestamp = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)


class LatestDeployRecord(Record):
    """The newest deploy of a service, beside its anchor, so an alert reads both in one request."""

    deploy = JSONAttribute()
    timestamp = UTCDateTimeAttribute()


class UnmatchedResolutionRecord(Record):
    fingerprint = UnicodeAttribute()
    alert = JSONAttribute()
    received_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)

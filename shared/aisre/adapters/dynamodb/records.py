"""PynamoDB records of the single table; keys and indexes as docs/data-model.md lays them out."""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

_R = TypeVar("_R", bound=Model)


class WorkspaceIndex(GlobalSecondaryIndex[_R]):
    """gsi1: per-workspace listings, newest first."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class GlobalIndex(GlobalSecondaryIndex[_R]):
    """gsi2: the same listings across every workspace, for keys that see them all."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class IdIndex(GlobalSecondaryIndex[_R]):
    """gsi3: find an item's key by its id when the workspace is not known."""

    class Meta:
        index_name = "gsi3"
        projection = KeysOnlyProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)


class Record(Model):
    """Base of every record: the table's key attributes. Subclasses share this Meta."""

    class Meta:
        # Replaced by configure_records() from Settings before the first request.
        table_name = "aisre"
        region = "us-east-1"
        host: str | None = None
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3
        max_pool_connections = 64

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class _Listed(Record):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)


class IncidentRecord(_Listed):
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


class ActionItemRecord(_Listed):
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


class DeployRecord(_Listed):
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


class DeadLetterRecord(_Listed):
    by_workspace = WorkspaceIndex["DeadLetterRecord"]()
    across_workspaces = GlobalIndex["DeadLetterRecord"]()
    by_id = IdIndex["DeadLetterRecord"]()
    gsi3pk = UnicodeAttribute(null=True)

    id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    source = UnicodeAttribute()
    error = UnicodeAttribute()
    error_type = UnicodeAttribute()
    status_code = NumberAttribute()
    body = UnicodeAttribute()  # the raw body as received (text; base64 when it was not UTF-8)
    body_encoding = UnicodeAttribute(default="utf-8")
    content_type = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(default="http")
    received_at = UTCDateTimeAttribute()
    replay_count = NumberAttribute(default=0)
    replayed_at = UTCDateTimeAttribute(null=True)
    replay_result = JSONAttribute(null=True)
    ttl = TTLAttribute(null=True)


class WebhookReceiptRecord(Record):
    response = JSONAttribute()
    received_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)


class UnmatchedResolutionRecord(Record):
    fingerprint = UnicodeAttribute()
    alert = JSONAttribute()
    received_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True)


class InvestigationRecord(Record):
    """One investigation, whole (pk WS#{ws}#INV#{id}); found by id alone through gsi3."""

    gsi3pk = UnicodeAttribute(null=True)
    by_id = IdIndex["InvestigationRecord"]()

    status = UnicodeAttribute()
    body = JSONAttribute()


class InvestigationLinkRecord(Record):
    """In the incident's partition (sk INV#{started}#{id}): its investigations, newest last."""

    investigation_id = UnicodeAttribute()


ALL_RECORDS: tuple[type[Record], ...] = (
    Record,
    IncidentRecord,
    TimelineEventRecord,
    ChildLinkRecord,
    ActionItemRecord,
    FingerprintRecord,
    AnchorRecord,
    DeployRecord,
    LatestDeployRecord,
    DeadLetterRecord,
    WebhookReceiptRecord,
    UnmatchedResolutionRecord,
    InvestigationRecord,
    InvestigationLinkRecord,
)


def configure_records(*, table_name: str, region: str, endpoint_url: str | None) -> None:
    """Point every record at the configured table (called once per process, and again by tests)."""
    for record in ALL_RECORDS:
        meta: Any = record.Meta  # shared by inheritance; set on each in case a record defines its own
        meta.table_name, meta.region, meta.host = table_name, region, endpoint_url
        record._connection = None


def record_clients() -> list[Any]:
    """The botocore client behind each record's PynamoDB connection, made now if not yet."""
    return [record._get_connection().connection.client for record in ALL_RECORDS]

"""Conversions between domain models and PynamoDB records (one place, so stores stay about access patterns)."""

from __future__ import annotations

from typing import Any

from aisre.incidents.model.alert import Severity
from aisre.incidents.model.deploy import Deploy
from aisre.incidents.model.incident import ActionRecord, DeployCorrelation, Incident, IncidentState, TimelineEvent
from aisre.incidents.model.noisy import NoisyIncident, is_noisy_candidate
from aisre.incidents.store import keys
from aisre.incidents.store.records import (
    ActionItemRecord,
    DeployRecord,
    IncidentRecord,
    NoisyEntryRecord,
    TimelineEventRecord,
)


def incident_to_record(incident: Incident) -> IncidentRecord:
    listed = keys.incident_listed(incident.created_at, incident.id)
    return IncidentRecord(
        pk=keys.incident_pk(incident.workspace_id, incident.id),
        sk=keys.INCIDENT_SK,
        gsi1pk=keys.workspace_incidents(incident.workspace_id, incident.state.value),
        gsi1sk=listed,
        gsi2pk=keys.all_incidents(incident.state.value),
        gsi2sk=listed,
        gsi3pk=keys.incident_id_key(incident.id),
        id=incident.id,
        workspace_id=incident.workspace_id,
        title=incident.title,
        description=incident.description or None,
        severity=incident.severity.value,
        state=incident.state.value,
        source=incident.source,
        provider=incident.provider,
        service=incident.service,
        namespace=incident.namespace,
        pod=incident.pod,
        deployment=incident.deployment,
        fingerprint=incident.fingerprint,
        fingerprint_kind=incident.fingerprint_kind,
        labels=incident.labels or None,
        annotations=incident.annotations or None,
        links=incident.links or None,
        created_at=incident.created_at,
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        alert_count=incident.alert_count,
        last_alert_at=incident.last_alert_at,
        group_id=incident.group_id,
        correlation_reason=incident.correlation_reason,
        deploy_correlation=incident.deploy_correlation.model_dump() if incident.deploy_correlation else None,
        actions_taken=incident.actions_taken,
        external_id=incident.external_id,
        truncated_fields=incident.truncated_fields or None,
        raw_payload_id=incident.raw_payload_id,
    )


def record_to_incident(record: IncidentRecord) -> Incident:
    return Incident(
        id=record.id,
        workspace_id=record.workspace_id,
        title=record.title,
        description=record.description or "",
        severity=Severity(record.severity),
        state=IncidentState(record.state),
        source=record.source,
        provider=record.provider,
        service=record.service,
        namespace=record.namespace,
        pod=record.pod,
        deployment=record.deployment,
        fingerprint=record.fingerprint,
        fingerprint_kind=record.fingerprint_kind or "identity",
        labels=record.labels or {},
        annotations=record.annotations or {},
        links=record.links or [],
        created_at=record.created_at,
        acknowledged_at=record.acknowledged_at,
        resolved_at=record.resolved_at,
        alert_count=int(record.alert_count or 1),
        last_alert_at=record.last_alert_at,
        group_id=record.group_id,
        correlation_reason=record.correlation_reason,
        deploy_correlation=DeployCorrelation(**record.deploy_correlation) if record.deploy_correlation else None,
        actions_taken=int(record.actions_taken or 0),
        external_id=record.external_id,
        truncated_fields=record.truncated_fields or [],
        raw_payload_id=record.raw_payload_id,
    )


def noisy_entry_record(incident: Incident) -> NoisyEntryRecord | None:
    """The noisy entry of a resolved incident, or None when it is not a noisy candidate (model/noisy.py)."""
    if not is_noisy_candidate(incident) or incident.resolved_at is None:
        return None
    lasted = (incident.resolved_at - incident.created_at).total_seconds()
    group = keys.noisy_group(lasted)
    if group is None:
        return None
    listed = keys.noisy_listed(group, incident.resolved_at, incident.id)
    return NoisyEntryRecord(
        pk=keys.incident_pk(incident.workspace_id, incident.id),
        sk=keys.NOISY_SK,
        gsi1pk=keys.workspace_noisy(incident.workspace_id),
        gsi1sk=listed,
        gsi2pk=keys.ALL_NOISY,
        gsi2sk=listed,
        id=incident.id,
        workspace_id=incident.workspace_id,
        title=incident.title,
        severity=incident.severity.value,
        service=incident.service,
        created_at=incident.created_at,
        resolved_at=incident.resolved_at,
        duration_seconds=round(lasted, 3),
        alert_count=incident.alert_count,
    )


def record_to_noisy(record: NoisyEntryRecord) -> NoisyIncident:
    return NoisyIncident(
        id=record.id,
        workspace_id=record.workspace_id,
        title=record.title,
        severity=Severity(record.severity),
        service=record.service,
        created_at=record.created_at,
        resolved_at=record.resolved_at,
        alert_count=int(record.alert_count),
    )


def event_to_record(workspace_id: str, event: TimelineEvent, sequence: int = 0) -> TimelineEventRecord:
    return TimelineEventRecord(
        pk=keys.incident_pk(workspace_id, event.incident_id),
        sk=keys.event_sk(event.created_at, sequence),
        incident_id=event.incident_id,
        event_type=event.event_type,
        actor=event.actor,
        payload=event.payload or None,
        created_at=event.created_at,
    )


def record_to_event(record: TimelineEventRecord) -> TimelineEvent:
    return TimelineEvent(
        incident_id=record.incident_id,
        event_type=record.event_type,
        actor=record.actor,
        payload=record.payload or {},
        created_at=record.created_at,
    )


def action_to_record(workspace_id: str, action: ActionRecord) -> ActionItemRecord:
    sort_key = keys.action_sk(action.created_at)
    listed = sort_key.removeprefix(keys.ACTION_PREFIX)
    return ActionItemRecord(
        pk=keys.incident_pk(workspace_id, action.incident_id),
        sk=sort_key,
        gsi1pk=keys.workspace_activity(workspace_id),
        gsi1sk=listed,
        gsi2pk=keys.ALL_ACTIVITY,
        gsi2sk=listed,
        incident_id=action.incident_id,
        workspace_id=workspace_id,
        action=action.action,
        outcome=action.outcome,
        actor=action.actor,
        dry_run=action.dry_run,
        namespace=action.namespace,
        details=action.details or None,
        created_at=action.created_at,
    )


def record_to_action(record: ActionItemRecord) -> ActionRecord:
    return ActionRecord(
        incident_id=record.incident_id,
        action=record.action,
        outcome=record.outcome,
        actor=record.actor,
        dry_run=bool(record.dry_run),
        namespace=record.namespace,
        details=record.details or {},
        created_at=record.created_at,
    )


def deploy_to_record(deploy: Deploy, ttl_seconds: int) -> DeployRecord:
    from datetime import timedelta

    sort_key = keys.deploy_sk(deploy.timestamp, deploy.deploy_id)
    listed = sort_key.removeprefix(keys.DEPLOY_PREFIX)
    return DeployRecord(
        pk=keys.service_pk(deploy.workspace_id, deploy.service),
        sk=sort_key,
        gsi1pk=keys.workspace_deploys(deploy.workspace_id),
        gsi1sk=listed,
        gsi2pk=keys.ALL_DEPLOYS,
        gsi2sk=listed,
        gsi3pk=keys.deploy_id_key(deploy.deploy_id),
        deploy_id=deploy.deploy_id,
        workspace_id=deploy.workspace_id,
        service=deploy.service,
        namespace=deploy.namespace,
        environment=deploy.environment,
        image=deploy.image,
        version=deploy.version,
        actor=deploy.actor,
        commit_sha=deploy.commit_sha,
        description=deploy.description,
        timestamp=deploy.timestamp,
        ttl=timedelta(seconds=ttl_seconds),
    )


def record_to_deploy(record: DeployRecord) -> Deploy:
    fields: dict[str, Any] = {
        name: getattr(record, name)
        for name in (
            "deploy_id",
            "workspace_id",
            "service",
            "namespace",
            "environment",
            "image",
            "version",
            "actor",
            "commit_sha",
            "description",
            "timestamp",
        )
    }
    return Deploy(**fields)

"""The incidents' parts, each built on first ask (core/scope.py): stores, ingest, lifecycle, deploys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aisre.core.providers import configured_table, table_connection
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.incidents.model.incident import Incident
    from aisre.incidents.service.deploys import DeployService
    from aisre.incidents.service.ingest import IngestService
    from aisre.incidents.service.lifecycle import IncidentService
    from aisre.incidents.store.backfill import BackfillReport
    from aisre.incidents.store.deploy_store import DynamoDeployStore
    from aisre.incidents.store.incident_store import DynamoIncidentStore

INCIDENT_OPENED = "incident.opened"
INCIDENT_RESOLVED = "incident.resolved"
INCIDENT_ACKNOWLEDGED = "incident.acknowledged"
# Resolved by its alerts (a resolved firing), not by a person: (workspace_id, incident_id, when).
INCIDENT_RESOLVED_BY_ALERT = "incident.resolved_by_alert"


def incident_store(scope: Scope) -> DynamoIncidentStore:
    from aisre.incidents.store.incident_store import DynamoIncidentStore

    return DynamoIncidentStore(scope.get(table_connection))


def deploy_store(scope: Scope) -> DynamoDeployStore:
    from aisre.incidents.store.deploy_store import DynamoDeployStore

    scope.get(configured_table)
    return DynamoDeployStore()


def ingest_service(scope: Scope) -> IngestService:
    from aisre.incidents.service.ingest import IngestService

    settings = scope.settings

    def announce(incidents: Sequence[Incident]) -> None:
        scope.publish(INCIDENT_OPENED, incidents)

    def announce_resolved(workspace_id: str, incident_id: str, at: datetime) -> None:
        scope.publish(INCIDENT_RESOLVED_BY_ALERT, (workspace_id, incident_id, at))

    return IngestService(
        scope.get(incident_store),
        correlation_window=timedelta(minutes=settings.correlation_window_minutes),
        deploy_lookback=timedelta(minutes=settings.deploy_lookback_minutes),
        on_incidents_opened=announce if scope.has_subscribers(INCIDENT_OPENED) else None,
        on_resolved_by_alert=announce_resolved if scope.has_subscribers(INCIDENT_RESOLVED_BY_ALERT) else None,
    )


def incident_service(scope: Scope) -> IncidentService:
    from aisre.incidents.service.lifecycle import IncidentService

    def announce(incident: Incident, note: str | None) -> None:
        scope.publish(INCIDENT_RESOLVED, (incident, note))

    return IncidentService(
        scope.get(incident_store),
        scope.get(deploy_store),
        on_resolved=announce,
        on_acknowledged=lambda incident: scope.publish(INCIDENT_ACKNOWLEDGED, incident),
    )


def deploy_service(scope: Scope) -> DeployService:
    from aisre.incidents.service.deploys import DeployService

    return DeployService(scope.get(deploy_store), retention_days=scope.settings.deploy_retention_days)


def incident_backfill(scope: Scope) -> Callable[[], BackfillReport]:
    """Brings incidents stored by an earlier version up to the data model (`aisre migrate`)."""
    from aisre.incidents.store.backfill import backfill_incidents

    scope.get(configured_table)
    return backfill_incidents

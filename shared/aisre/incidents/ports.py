"""The interfaces the incidents services need; the DynamoDB stores in incidents/store implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aisre.core.paging import Page
from aisre.incidents.model.alert import Alert
from aisre.incidents.model.correlation import OpenFingerprint, OpenIncident, ServiceAnchor
from aisre.incidents.model.deploy import Deploy
from aisre.incidents.model.incident import ActionRecord, Incident, IncidentState, TimelineEvent
from aisre.incidents.model.noisy import NoisyIncident


@dataclass(frozen=True)
class AlertContext:
    """What an incoming alert's fate depends on, read in one request, and the keys it was read for."""

    fingerprint: str
    service: str | None
    open_fingerprint: OpenFingerprint | None
    anchor: ServiceAnchor | None
    latest_deploy: Deploy | None = None


@dataclass
class AlertContexts:
    """What a payload's alerts depend on, read together: each fingerprint's claim, each service's anchor and
    latest deploy (None: read, and there is none). The ingest keeps it current as it writes, so each alert
    decides on what the alerts before it left."""

    claims: dict[str, OpenFingerprint | None]
    anchors: dict[str, ServiceAnchor | None]
    deploys: dict[str, Deploy | None]

    def context(self, alert: Alert) -> AlertContext:
        deploy_service = alert.service or alert.deployment
        return AlertContext(
            fingerprint=alert.fingerprint,
            service=alert.service,
            open_fingerprint=self.claims.get(alert.fingerprint),
            anchor=self.anchors.get(alert.service) if alert.service else None,
            latest_deploy=self.deploys.get(deploy_service) if deploy_service else None,
        )


class IncidentStore(Protocol):
    def load_alert_context(
        self, workspace_id: str, fingerprint: str, service: str | None, deploy_service: str | None = None
    ) -> AlertContext:
        """The fingerprint's claim, the service's anchor and `deploy_service`'s latest deploy, in one read."""

    def load_alert_contexts(
        self,
        workspace_id: str,
        fingerprints: Sequence[str],
        services: Sequence[str],
        deploy_services: Sequence[str],
    ) -> AlertContexts:
        """The claims, anchors and latest deploys of a payload's alerts, in as few batch reads as the
        store allows (BatchGetItem: 100 keys a request)."""

    def open_incident(self, incident: Incident, events: Sequence[TimelineEvent], decision: OpenIncident) -> None:
        """Write the incident, its fingerprint claim (counting the incident's `alert_count` alerts), events
        and group bookkeeping at once (ConflictError if another writer claimed the fingerprint or the
        anchor first)."""

    def fold_alert(
        self, workspace_id: str, incident_id: str, fingerprint: str, event: TimelineEvent, count: int = 1
    ) -> None:
        """Count `count` duplicates into the open incident (ConflictError if it is no longer open)."""

    def append_event(self, workspace_id: str, event: TimelineEvent) -> None: ...

    def record_action(self, workspace_id: str, action: ActionRecord, events: Sequence[TimelineEvent]) -> None:
        """Write the action record and its events, counting it in the incident's actions_taken, and drop its
        noisy entry if it has one, at once. ConflictError when the incident does not exist."""

    def get_incident(self, workspace_id: str | None, incident_id: str) -> Incident: ...

    def acknowledge(
        self,
        workspace_id: str,
        incident_id: str,
        at: datetime,
        events: Sequence[TimelineEvent],
        action: ActionRecord | None,
    ) -> None:
        """open -> acknowledged, conditionally (ConflictError if the state changed meanwhile)."""

    def resolve(
        self,
        workspace_id: str,
        incident_id: str,
        at: datetime,
        context: AlertContext,
        events: Sequence[TimelineEvent],
        action: ActionRecord | None,
        *,
        alerts_received: int = 0,
        current: Incident | None = None,
    ) -> None:
        """-> resolved, releasing the fingerprint claim and the service anchor read in `context`;
        `alerts_received` counts the resolving alert itself, when an alert (not an operator) resolves;
        `current` is the incident as the caller read it (read here when not given). ConflictError if its
        state or action count changed since."""

    def record_unmatched_resolution(self, workspace_id: str, alert: Alert, at: datetime) -> None: ...

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]: ...

    def timeline(self, workspace_id: str, incident_id: str, limit: int, cursor: str | None) -> Page[TimelineEvent]: ...

    def recent_events(self, workspace_id: str, incident_id: str, limit: int) -> list[TimelineEvent]:
        """The incident's latest `limit` timeline events, newest first (one read)."""

    def children(self, workspace_id: str, incident_id: str) -> list[dict[str, Any]]: ...

    def actions(self, workspace_id: str, incident_id: str) -> list[ActionRecord]: ...

    def activity(self, workspace_id: str | None, limit: int) -> list[ActionRecord]: ...

    def noisy_incidents(
        self, workspace_id: str | None, since: datetime, max_duration_seconds: float, limit: int
    ) -> list[NoisyIncident]:
        """Noisy candidates (model/noisy.py) resolved since `since` that lasted at most the duration,
        newest first."""


class DeployStore(Protocol):
    def put_deploy(self, deploy: Deploy, retention_days: int) -> None: ...

    def deploys_of_service(self, workspace_id: str, service: str, since: datetime, until: datetime) -> list[Deploy]: ...

    def recent_deploys(self, workspace_id: str | None, limit: int, service: str | None) -> list[Deploy]: ...

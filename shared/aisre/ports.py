"""Interfaces the services depend on; adapters implement them (DynamoDB in aws and local alike)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from aisre.domain.alert import Alert
from aisre.domain.correlation import OpenFingerprint, OpenIncident, ServiceAnchor
from aisre.domain.deploy import Deploy
from aisre.domain.incident import ActionRecord, Incident, IncidentState, TimelineEvent
from aisre.domain.sns_messages import SnsMessage

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursor: str | None = None


@dataclass(frozen=True)
class AlertContext:
    """What an incoming alert's fate depends on, read in one request, and the keys it was read for."""

    fingerprint: str
    service: str | None
    open_fingerprint: OpenFingerprint | None
    anchor: ServiceAnchor | None
    latest_deploy: Deploy | None = None


@dataclass
class DeadLetter:
    id: str
    workspace_id: str
    source: str
    error: str
    error_type: str
    status_code: int
    body: bytes
    content_type: str | None
    received_at: datetime
    channel: str = "http"
    replay_count: int = 0
    replayed_at: datetime | None = None
    replay_result: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


class IncidentStore(Protocol):
    def load_alert_context(
        self, workspace_id: str, fingerprint: str, service: str | None, deploy_service: str | None = None
    ) -> AlertContext:
        """The fingerprint's claim, the service's anchor and `deploy_service`'s latest deploy, in one read."""

    def open_incident(self, incident: Incident, events: Sequence[TimelineEvent], decision: OpenIncident) -> None:
        """Write the incident, its fingerprint claim, events and group bookkeeping at once (ConflictError
        if another writer claimed the fingerprint or the anchor first)."""

    def fold_alert(self, workspace_id: str, incident_id: str, fingerprint: str, event: TimelineEvent) -> None:
        """Count a duplicate into the open incident (ConflictError if it is no longer open)."""

    def append_event(self, workspace_id: str, event: TimelineEvent) -> None: ...

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
    ) -> None:
        """-> resolved, releasing the fingerprint claim and the service anchor read in `context`;
        `alerts_received` counts the resolving alert itself, when an alert (not an operator) resolves."""

    def record_unmatched_resolution(self, workspace_id: str, alert: Alert, at: datetime) -> None: ...

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]: ...

    def timeline(self, workspace_id: str, incident_id: str, limit: int, cursor: str | None) -> Page[TimelineEvent]: ...

    def children(self, workspace_id: str, incident_id: str) -> list[dict[str, Any]]: ...

    def actions(self, workspace_id: str, incident_id: str) -> list[ActionRecord]: ...

    def activity(self, workspace_id: str | None, limit: int) -> list[ActionRecord]: ...

    def resolved_since(
        self, workspace_id: str | None, since: datetime, max_duration_seconds: float, limit: int
    ) -> list[Incident]:
        """Resolved incidents created since `since`, no longer than the duration, with no actions taken."""


class DeployStore(Protocol):
    def put_deploy(self, deploy: Deploy, retention_days: int) -> None: ...

    def deploys_of_service(self, workspace_id: str, service: str, since: datetime, until: datetime) -> list[Deploy]: ...

    def recent_deploys(self, workspace_id: str | None, limit: int, service: str | None) -> list[Deploy]: ...


class DeadLetterStore(Protocol):
    def put(self, entry: DeadLetter, retention_days: int) -> None: ...

    def list_entries(self, workspace_id: str | None, limit: int) -> list[DeadLetter]: ...

    def get(self, workspace_id: str | None, entry_id: str) -> DeadLetter: ...

    def mark_replayed(self, entry: DeadLetter, at: datetime, result: dict[str, Any]) -> None: ...


class SnsEndpoint(Protocol):
    """Amazon SNS as an HTTP(S) subscriber meets it: signed deliveries and a link to confirm."""

    def verify(self, message: SnsMessage) -> None: ...

    def confirm(self, message: SnsMessage) -> str | None: ...


class ReceiptStore(Protocol):
    """Responses to provider deliveries by delivery id, so a redelivery is answered, not reprocessed."""

    def get(self, workspace_id: str, provider: str, delivery_id: str) -> dict[str, Any] | None: ...

    def put(
        self, workspace_id: str, provider: str, delivery_id: str, response: dict[str, Any], retention_days: int
    ) -> None: ...


class HealthProbe(Protocol):
    def check(self) -> dict[str, Any]: ...

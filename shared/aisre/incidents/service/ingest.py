"""IngestService: alerts become deduplicated, correlated incidents, exactly once under concurrency."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import ConflictError, StorageError
from aisre.core.observability import logger
from aisre.core.timestamps import utc_iso
from aisre.incidents.model.alert import Alert
from aisre.incidents.model.correlation import (
    FoldIntoIncident,
    NothingToResolve,
    OpenIncident,
    ResolveIncident,
    decide,
    dedup_strategy,
)
from aisre.incidents.model.deploy import correlate_deploy
from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.incidents.ports import AlertContext, IncidentStore
from aisre.incidents.service.claim_cache import CachedClaim, ClaimCache

# A lost condition means another writer changed what we read; re-reading settles it in one or two
# rounds even under heavy contention, so running out of attempts signals a real fault.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class AlertOutcome:
    """What happened to one alert, as the webhook response reports it."""

    incident_id: str | None
    deduplicated: bool
    dedup_strategy: str | None
    group_id: str | None
    action: str  # created | deduplicated | resolved | no_open_incident
    fingerprint: str

    def public(self) -> dict[str, Any]:
        return asdict(self)


def new_incident_id() -> str:
    return f"inc-{secrets.token_hex(6)}"


class IngestService:
    def __init__(
        self,
        incidents: IncidentStore,
        *,
        correlation_window: timedelta,
        deploy_lookback: timedelta,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_incident_id,
        claims: ClaimCache | None = None,
        on_incidents_opened: Callable[[Sequence[Incident]], None] | None = None,
    ):
        self._incidents = incidents
        self._window = correlation_window
        self._deploy_lookback = deploy_lookback
        self._clock = clock
        self._new_id = new_id
        self._claims = claims if claims is not None else ClaimCache()
        self._on_incidents_opened = on_incidents_opened

    def ingest(self, workspace_id: str, alerts: Sequence[Alert]) -> list[AlertOutcome]:
        """Every alert of one delivery; the incidents it opened are announced together, once, at the end
        (also when a later alert fails: those incidents are stored)."""
        opened: list[Incident] = []
        try:
            return [self.ingest_one(workspace_id, alert, opened) for alert in alerts]
        finally:
            self._announce(opened)

    def ingest_one(self, workspace_id: str, alert: Alert, opened: list[Incident] | None = None) -> AlertOutcome:
        """One alert. An incident it opens is appended to `opened` for the caller to announce, or announced
        at once when there is no list."""
        if not alert.is_resolved:
            cached = self._claims.get(workspace_id, alert.fingerprint)
            if cached is not None:
                try:
                    return self._fold_cached(workspace_id, alert, cached)
                except ConflictError:
                    self._claims.forget(workspace_id, alert.fingerprint)  # stale hint: read, as below
        for _attempt in range(MAX_ATTEMPTS):
            context = self._incidents.load_alert_context(
                workspace_id, alert.fingerprint, alert.service, alert.service or alert.deployment
            )
            now = self._clock()
            decision = decide(alert, context.open_fingerprint, context.anchor, now, self._window)
            try:
                match decision:
                    case FoldIntoIncident(incident_id=incident_id):
                        return self._fold(workspace_id, alert, context, incident_id, now)
                    case OpenIncident():
                        outcome, incident = self._open(workspace_id, alert, context, decision, now)
                        if opened is None:
                            self._announce([incident])
                        else:
                            opened.append(incident)
                        return outcome
                    case ResolveIncident(incident_id=incident_id):
                        return self._resolve(workspace_id, alert, context, incident_id, now)
                    case NothingToResolve():
                        self._incidents.record_unmatched_resolution(workspace_id, alert, now)
                        return AlertOutcome(None, False, None, None, "no_open_incident", alert.fingerprint)
            except ConflictError:
                continue
        raise StorageError(f"alert {alert.fingerprint} kept losing concurrent writes; not acknowledged")

    def _fold(
        self, workspace_id: str, alert: Alert, context: AlertContext, incident_id: str, now: datetime
    ) -> AlertOutcome:
        self._incidents.fold_alert(workspace_id, incident_id, alert.fingerprint, _alert_event(incident_id, alert, now))
        group_id = context.open_fingerprint.group_id if context.open_fingerprint else None
        self._claims.remember(workspace_id, alert.fingerprint, CachedClaim(incident_id, group_id))
        return AlertOutcome(incident_id, True, dedup_strategy(alert), group_id, "deduplicated", alert.fingerprint)

    def _fold_cached(self, workspace_id: str, alert: Alert, cached: CachedClaim) -> AlertOutcome:
        """One conditional write instead of read-then-write; ConflictError when the hint is stale."""
        event = _alert_event(cached.incident_id, alert, self._clock())
        self._incidents.fold_alert(workspace_id, cached.incident_id, alert.fingerprint, event)
        return AlertOutcome(
            cached.incident_id, True, dedup_strategy(alert), cached.group_id, "deduplicated", alert.fingerprint
        )

    def _open(
        self, workspace_id: str, alert: Alert, context: AlertContext, decision: OpenIncident, now: datetime
    ) -> tuple[AlertOutcome, Incident]:
        incident_id = self._new_id()
        # The service's latest deploy came with the context read: no extra request on the alert path.
        deploys = [context.latest_deploy] if context.latest_deploy else []
        correlation = correlate_deploy(deploys, now, self._deploy_lookback.total_seconds() / 60)
        incident = Incident(
            id=incident_id,
            workspace_id=workspace_id,
            title=alert.title,
            description=alert.description,
            severity=alert.severity,
            source=alert.source,
            provider=alert.provider,
            service=alert.service,
            namespace=alert.namespace,
            pod=alert.pod,
            deployment=alert.deployment,
            fingerprint=alert.fingerprint,
            fingerprint_kind=alert.fingerprint_kind,
            labels=alert.labels,
            annotations=alert.annotations,
            links=alert.links,
            created_at=now,
            last_alert_at=now,
            group_id=decision.group_id,
            correlation_reason=decision.correlation_reason,
            deploy_correlation=correlation,
            external_id=alert.external_id,
        )
        events = [
            _alert_event(incident_id, alert, now),
            TimelineEvent(
                incident_id=incident_id,
                event_type="incident_created",
                actor="system",
                payload={"title": alert.title, "severity": alert.severity.value},
                created_at=now,
            ),
        ]
        if decision.group_id:
            events.append(
                TimelineEvent(
                    incident_id=incident_id,
                    event_type="incident_grouped",
                    actor="system",
                    payload={"parent_id": decision.group_id, "correlation_reason": decision.correlation_reason},
                    created_at=now,
                )
            )
        if correlation is not None:
            events.append(
                TimelineEvent(
                    incident_id=incident_id,
                    event_type="deploy_correlated",
                    actor="system",
                    payload=correlation.model_dump(),
                    created_at=now,
                )
            )
        self._incidents.open_incident(incident, events, decision)
        self._claims.remember(workspace_id, alert.fingerprint, CachedClaim(incident_id, decision.group_id))
        outcome = AlertOutcome(incident_id, False, None, decision.group_id, "created", alert.fingerprint)
        return outcome, incident

    def _announce(self, incidents: Sequence[Incident]) -> None:
        """Tell the listener (the investigation queue) of new incidents. They are stored already: a failing
        listener is logged, never turned into a failed delivery."""
        if self._on_incidents_opened is None or not incidents:
            return
        try:
            self._on_incidents_opened(incidents)
        except Exception:  # the alerts are acknowledged whatever happens to the investigations
            logger.exception("could not queue the investigation of %d new incident(s)", len(incidents))

    def _resolve(
        self, workspace_id: str, alert: Alert, context: AlertContext, incident_id: str, now: datetime
    ) -> AlertOutcome:
        events = [
            _alert_event(incident_id, alert, now),
            TimelineEvent(
                incident_id=incident_id,
                event_type="incident_resolved",
                actor=_alert_actor(alert),
                payload={"reason": "all alerts resolved"},
                created_at=now,
            ),
        ]
        self._claims.forget(workspace_id, alert.fingerprint)
        self._incidents.resolve(workspace_id, incident_id, now, context, events, None, alerts_received=1)
        group_id = context.open_fingerprint.group_id if context.open_fingerprint else None
        return AlertOutcome(incident_id, True, dedup_strategy(alert), group_id, "resolved", alert.fingerprint)


def _alert_actor(alert: Alert) -> str:
    return f"{alert.provider}:{alert.source}"


def _alert_event(incident_id: str, alert: Alert, now: datetime) -> TimelineEvent:
    payload: dict[str, Any] = {
        "source": alert.source,
        "provider": alert.provider,
        "severity": alert.severity.value,
        "status": alert.status.value,
        "title": alert.title,
        "fingerprint": alert.fingerprint,
    }
    if alert.description:
        payload["description"] = alert.description
    if alert.labels:
        payload["labels"] = alert.labels
    if alert.annotations:
        payload["annotations"] = alert.annotations
    if alert.starts_at:
        payload["starts_at"] = utc_iso(alert.starts_at)
    if alert.ends_at:
        payload["ends_at"] = utc_iso(alert.ends_at)
    return TimelineEvent(
        incident_id=incident_id, event_type="alert_received", actor=_alert_actor(alert), payload=payload, created_at=now
    )

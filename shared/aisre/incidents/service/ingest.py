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
from aisre.incidents.model.alert_bounds import bound_alert
from aisre.incidents.model.correlation import (
    Decision,
    FoldIntoIncident,
    NothingToResolve,
    OpenIncident,
    ResolveIncident,
    decide,
    dedup_strategy,
)
from aisre.incidents.model.deploy import correlate_deploy
from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.incidents.ports import AlertContext, AlertContexts, IncidentStore
from aisre.incidents.service.claim_cache import CachedClaim, ClaimCache
from aisre.incidents.service.payload_ingest import ingest_payload

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

    def repeated(self, strategy: str | None) -> AlertOutcome:
        """The outcome of a repeat of this alert in the same payload, folded with it: a duplicate of it."""
        return AlertOutcome(self.incident_id, True, strategy, self.group_id, "deduplicated", self.fingerprint)


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
        on_resolved_by_alert: Callable[[str, str, datetime], None] | None = None,
        write_concurrency: int = 4,
    ):
        self._incidents = incidents
        self._window = correlation_window
        self._deploy_lookback = deploy_lookback
        self._clock = clock
        self._new_id = new_id
        self._claims = claims if claims is not None else ClaimCache()
        self._on_incidents_opened = on_incidents_opened
        self._on_resolved_by_alert = on_resolved_by_alert
        self._write_concurrency = write_concurrency

    def ingest(self, workspace_id: str, alerts: Sequence[Alert]) -> list[AlertOutcome]:
        """Each alert's outcome, in order, of one delivery. Several alerts are read in batches and their
        repeats written once per run (payload_ingest). Every alert is bounded first (alert_bounds): an
        incident or a timeline item never nears the store's item limit, whatever one alert carries. The
        incidents the delivery opened are announced together, once, at the end (also when a later alert
        fails: those incidents are stored)."""
        bounded = [bound_alert(alert) for alert in alerts]
        opened: list[Incident] = []
        try:
            if len(bounded) == 1:
                return [self.ingest_one(workspace_id, bounded[0], opened=opened)]
            return ingest_payload(self, workspace_id, bounded, opened, self._write_concurrency)
        finally:
            self._announce(sorted(opened, key=lambda incident: incident.created_at))

    def ingest_one(
        self, workspace_id: str, alert: Alert, count: int = 1, opened: list[Incident] | None = None
    ) -> AlertOutcome:
        """One alert (standing for `count` identical firings): read its context, decide, write; a lost
        condition re-reads and decides again. An incident it opens is appended to `opened` for the caller to
        announce, or announced at once when there is no list."""
        alert = bound_alert(alert)
        if not alert.is_resolved:
            cached = self._claims.get(workspace_id, alert.fingerprint)
            if cached is not None:
                try:
                    return self._fold_cached(workspace_id, alert, cached, count)
                except ConflictError:
                    self._claims.forget(workspace_id, alert.fingerprint)  # stale hint: read, as below
        for _attempt in range(MAX_ATTEMPTS):
            context = self._incidents.load_alert_context(
                workspace_id, alert.fingerprint, alert.service, alert.service or alert.deployment
            )
            now = self._clock()
            try:
                return self.carry_out(
                    workspace_id, alert, context, self.decision_for(alert, context, now), count, now, opened
                )
            except ConflictError:
                continue
        raise StorageError(f"alert {alert.fingerprint} kept losing concurrent writes; not acknowledged")

    # -- what payload_ingest builds on --------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock()

    def load_contexts(self, workspace_id: str, alerts: Sequence[Alert]) -> AlertContexts:
        """The claims, anchors and latest deploys of these alerts, each key read once, in batches."""
        return self._incidents.load_alert_contexts(
            workspace_id,
            list(dict.fromkeys(alert.fingerprint for alert in alerts)),
            list(dict.fromkeys(alert.service for alert in alerts if alert.service)),
            list(dict.fromkeys(name for alert in alerts if (name := alert.service or alert.deployment))),
        )

    def decision_for(self, alert: Alert, context: AlertContext, now: datetime) -> Decision:
        return decide(alert, context.open_fingerprint, context.anchor, now, self._window)

    def carry_out(
        self,
        workspace_id: str,
        alert: Alert,
        context: AlertContext,
        decision: Decision,
        count: int,
        now: datetime,
        opened: list[Incident] | None = None,
    ) -> AlertOutcome:
        """Write what was decided on `context` (ConflictError when a condition fails: the read is stale). An
        incident opened is appended to `opened` (list.append is atomic: concurrent writes may share it), or
        announced at once when there is no list."""
        match decision:
            case FoldIntoIncident(incident_id=incident_id):
                return self._fold(workspace_id, alert, context, incident_id, now, count)
            case OpenIncident():
                outcome, incident = self._open(workspace_id, alert, context, decision, now, count)
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

    # -- writes ---------------------------------------------------------------------------------------

    def _fold(
        self, workspace_id: str, alert: Alert, context: AlertContext, incident_id: str, now: datetime, count: int
    ) -> AlertOutcome:
        event = _alert_event(incident_id, alert, now, count)
        self._incidents.fold_alert(workspace_id, incident_id, alert.fingerprint, event, count)
        group_id = context.open_fingerprint.group_id if context.open_fingerprint else None
        self._claims.remember(workspace_id, alert.fingerprint, CachedClaim(incident_id, group_id))
        return AlertOutcome(incident_id, True, dedup_strategy(alert), group_id, "deduplicated", alert.fingerprint)

    def _fold_cached(self, workspace_id: str, alert: Alert, cached: CachedClaim, count: int) -> AlertOutcome:
        """One conditional write instead of read-then-write; ConflictError when the hint is stale."""
        event = _alert_event(cached.incident_id, alert, self._clock(), count)
        self._incidents.fold_alert(workspace_id, cached.incident_id, alert.fingerprint, event, count)
        return AlertOutcome(
            cached.incident_id, True, dedup_strategy(alert), cached.group_id, "deduplicated", alert.fingerprint
        )

    def _open(
        self,
        workspace_id: str,
        alert: Alert,
        context: AlertContext,
        decision: OpenIncident,
        now: datetime,
        count: int = 1,
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
            alert_count=count,
            group_id=decision.group_id,
            correlation_reason=decision.correlation_reason,
            deploy_correlation=correlation,
            external_id=alert.external_id,
            truncated_fields=alert.truncated_fields,
            raw_payload_id=alert.raw_payload_id,
        )
        events = [
            _alert_event(incident_id, alert, now, count),
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
        if self._on_resolved_by_alert is not None:
            try:
                self._on_resolved_by_alert(workspace_id, incident_id, now)
            except Exception:  # the resolution is stored: its announcement is best effort, like an opening's
                logger.exception("could not announce the resolution of incident %s", incident_id)
        group_id = context.open_fingerprint.group_id if context.open_fingerprint else None
        return AlertOutcome(incident_id, True, dedup_strategy(alert), group_id, "resolved", alert.fingerprint)


def _alert_actor(alert: Alert) -> str:
    return f"{alert.provider}:{alert.source}"


def _alert_event(incident_id: str, alert: Alert, now: datetime, count: int = 1) -> TimelineEvent:
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
    if count > 1:
        payload["count"] = count  # repeats of one payload, folded with it
    if alert.truncated_fields:
        payload["truncated_fields"] = alert.truncated_fields
    if alert.raw_payload_id:
        payload["raw_payload_id"] = alert.raw_payload_id
    return TimelineEvent(
        incident_id=incident_id, event_type="alert_received", actor=_alert_actor(alert), payload=payload, created_at=now
    )

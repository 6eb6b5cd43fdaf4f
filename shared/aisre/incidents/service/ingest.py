"""IngestService: alerts become deduplicated, correlated incidents, exactly once under concurrency."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import ConflictError, StorageError
from aisre.core.observability import logger
from aisre.core.timestamps import utc_iso
from aisre.incidents.model.alert import Alert
from aisre.incidents.model.alert_bounds import bound_alert
from aisre.incidents.model.correlation import (
    FoldIntoIncident,
    NothingToResolve,
    OpenFingerprint,
    OpenIncident,
    ResolveIncident,
    ServiceAnchor,
    decide,
    dedup_strategy,
)
from aisre.incidents.model.deploy import correlate_deploy
from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.incidents.model.payload_runs import AlertRun, independent_lanes, plan_runs
from aisre.incidents.ports import AlertContext, AlertContexts, IncidentStore
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
        write_concurrency: int = 4,
    ):
        self._incidents = incidents
        self._window = correlation_window
        self._deploy_lookback = deploy_lookback
        self._clock = clock
        self._new_id = new_id
        self._claims = claims if claims is not None else ClaimCache()
        self._on_incidents_opened = on_incidents_opened
        self._write_concurrency = write_concurrency

    def ingest(self, workspace_id: str, alerts: Sequence[Alert]) -> list[AlertOutcome]:
        """Each alert's outcome, in order, of one delivery. Several alerts are read in batches and their
        repeats written once per run (see ingest_payload). Every alert is bounded first (alert_bounds): an
        incident or a timeline item never nears the store's item limit, whatever one alert carries. The
        incidents the delivery opened are announced together, once, at the end (also when a later alert
        fails: those incidents are stored)."""
        bounded = [bound_alert(alert) for alert in alerts]
        opened: list[Incident] = []
        try:
            if len(bounded) == 1:
                return [self.ingest_one(workspace_id, bounded[0], opened=opened)]
            return self.ingest_payload(workspace_id, bounded, opened)
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
            try:
                return self._apply(workspace_id, alert, context, count, self._clock(), opened)
            except ConflictError:
                continue
        raise StorageError(f"alert {alert.fingerprint} kept losing concurrent writes; not acknowledged")

    def ingest_payload(
        self, workspace_id: str, alerts: Sequence[Alert], opened: list[Incident] | None = None
    ) -> list[AlertOutcome]:
        """A payload's alerts: their claims, anchors and deploys read in batches (one BatchGetItem per 100
        keys, not one per alert), the repeats of a fingerprint written once with their count (see
        payload_runs), and each new incident still claimed in its own conditional transaction.

        Runs are carried out in payload order against the batch read, kept current with what each run
        wrote, so correlation decides as it would alert by alert: the first new incident of a service
        claims its anchor and the later ones become its children. Lanes of runs that share no fingerprint
        and no service are written side by side (up to `write_concurrency` at once), so this process
        prepares one transaction while the store commits another."""
        runs = plan_runs(alerts)
        contexts = self._incidents.load_alert_contexts(
            workspace_id,
            list(dict.fromkeys(run.alert.fingerprint for run in runs)),
            list(dict.fromkeys(run.alert.service for run in runs if run.alert.service)),
            list(dict.fromkeys(s for run in runs if (s := run.alert.service or run.alert.deployment))),
        )
        outcomes: list[AlertOutcome | None] = [None] * len(alerts)
        lanes = independent_lanes(runs)
        if len(lanes) == 1 or self._write_concurrency <= 1:
            for lane in lanes:
                self._ingest_lane(workspace_id, lane, contexts, outcomes, opened)
        else:
            with ThreadPoolExecutor(min(self._write_concurrency, len(lanes))) as pool:
                # Each lane in the caller's context (log correlation ids); every lane ends before an error
                # is raised, so nothing is still writing when the request answers.
                futures = [
                    pool.submit(copy_context().run, self._ingest_lane, workspace_id, lane, contexts, outcomes, opened)
                    for lane in lanes
                ]
                wait(futures)
            for future in futures:
                future.result()
        done = [outcome for outcome in outcomes if outcome is not None]
        assert len(done) == len(alerts), "every position belongs to exactly one run"
        return done

    def _ingest_lane(
        self,
        workspace_id: str,
        lane: Sequence[AlertRun],
        contexts: AlertContexts,
        outcomes: list[AlertOutcome | None],
        opened: list[Incident] | None,
    ) -> None:
        """One lane's runs, in order. A run that loses a condition (another writer got there between the
        read and the write) falls back to the alert-by-alert path, and so do the later runs of the lane,
        whose batch-read facts may be stale too."""
        stale = False
        for run in lane:
            alert = run.alert
            outcome = None
            if not stale:
                context, now = contexts.context(alert), self._clock()
                try:
                    outcome = self._apply(workspace_id, alert, context, run.count, now, opened)
                    _remember(contexts, alert, context, outcome, run.count, now)
                except ConflictError:
                    stale = True
            if outcome is None:
                outcome = self.ingest_one(workspace_id, alert, run.count, opened)
            outcomes[run.positions[0]] = outcome
            for position in run.positions[1:]:
                outcomes[position] = _repeat_of(outcome, alert)

    def _apply(
        self,
        workspace_id: str,
        alert: Alert,
        context: AlertContext,
        count: int,
        now: datetime,
        opened: list[Incident] | None = None,
    ) -> AlertOutcome:
        """Decide on the context read and carry the decision out (ConflictError when a condition fails)."""
        decision = decide(alert, context.open_fingerprint, context.anchor, now, self._window)
        match decision:
            case FoldIntoIncident(incident_id=incident_id):
                return self._fold(workspace_id, alert, context, incident_id, now, count)
            case OpenIncident():
                outcome, incident = self._open(workspace_id, alert, context, decision, now, count)
                if opened is None:
                    self._announce([incident])
                else:
                    opened.append(incident)  # list.append is atomic: lanes may share the list
                return outcome
            case ResolveIncident(incident_id=incident_id):
                return self._resolve(workspace_id, alert, context, incident_id, now)
            case NothingToResolve():
                self._incidents.record_unmatched_resolution(workspace_id, alert, now)
                return AlertOutcome(None, False, None, None, "no_open_incident", alert.fingerprint)

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
        group_id = context.open_fingerprint.group_id if context.open_fingerprint else None
        return AlertOutcome(incident_id, True, dedup_strategy(alert), group_id, "resolved", alert.fingerprint)


def _alert_actor(alert: Alert) -> str:
    return f"{alert.provider}:{alert.source}"


def _remember(
    contexts: AlertContexts, alert: Alert, context: AlertContext, outcome: AlertOutcome, count: int, now: datetime
) -> None:
    """Bring the batch-read facts up to date with what a run just wrote, for the runs after it."""
    claim = context.open_fingerprint
    if outcome.action == "created" and outcome.incident_id is not None:
        contexts.claims[alert.fingerprint] = OpenFingerprint(outcome.incident_id, count, now, outcome.group_id)
        if alert.service and outcome.group_id is None:
            # A root of its service: decide() claimed or replaced the anchor (a child leaves it alone).
            contexts.anchors[alert.service] = ServiceAnchor(outcome.incident_id, now)
    elif outcome.action == "deduplicated" and claim is not None:
        contexts.claims[alert.fingerprint] = replace(claim, alert_count=claim.alert_count + count)
    elif outcome.action == "resolved":
        contexts.claims[alert.fingerprint] = None
        anchor = context.anchor
        if alert.service and anchor is not None and anchor.incident_id == outcome.incident_id:
            contexts.anchors[alert.service] = None


def _repeat_of(outcome: AlertOutcome, alert: Alert) -> AlertOutcome:
    """The outcome of a repeat folded with its run: a duplicate of what the run's first alert did."""
    return AlertOutcome(
        outcome.incident_id, True, dedup_strategy(alert), outcome.group_id, "deduplicated", alert.fingerprint
    )


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

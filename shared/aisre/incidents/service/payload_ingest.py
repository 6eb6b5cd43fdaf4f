"""One payload of many alerts against one batch read: decided in payload order, written side by side.

The payload's claims, anchors and latest deploys are read together (IncidentStore.load_alert_contexts: 100
keys a request, not one request per alert), and its alerts are taken as runs (payload_runs: a fingerprint's
firing repeats, written once with their count).

Each run is decided here, in this thread, in payload order, on the batch-read facts as the runs before it
left them, so correlation decides as it would alert by alert. A run whose write changes its service's anchor
(a new root, a stale anchor replaced, the root resolved) is written before the next run is decided: the runs
after it decide on the anchor it leaves. Every other write (a child incident, a fold, an incident with no
service, a child's resolution, an unmatched resolution) changes nothing another fingerprint's run reads, so
it goes to a small pool and is written while the next runs are decided: this process prepares one
transaction while the store commits another, even when every alert of the payload is of one service. A later
run of the same fingerprint waits for that write.

A write that loses a condition (another writer got there between the read and the write) is carried out
alert by alert instead (IngestService.ingest_one reads afresh), and so are the later runs of its fingerprint
and service, whose batch-read facts may be stale. Each new incident is still claimed in its own conditional
transaction: exactly one incident per fingerprint holds as it does alert by alert.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from aisre.core.errors import ConflictError
from aisre.incidents.model.alert import Alert
from aisre.incidents.model.correlation import (
    Decision,
    OpenFingerprint,
    OpenIncident,
    ResolveIncident,
    ServiceAnchor,
    dedup_strategy,
)
from aisre.incidents.model.incident import Incident
from aisre.incidents.model.payload_runs import AlertRun, plan_runs
from aisre.incidents.ports import AlertContext, AlertContexts

if TYPE_CHECKING:
    from aisre.incidents.service.ingest import AlertOutcome, IngestService


@dataclass(frozen=True)
class _Written:
    outcome: AlertOutcome
    fell_back: bool  # carried out alert by alert after a lost condition: the batch read is stale for it


def ingest_payload(
    service: IngestService,
    workspace_id: str,
    alerts: Sequence[Alert],
    opened: list[Incident],
    concurrency: int,
) -> list[AlertOutcome]:
    """Each alert's outcome, in payload order (a repeat is a duplicate of its run's first alert)."""
    runs = plan_runs(alerts)
    contexts = service.load_contexts(workspace_id, [run.alert for run in runs])
    stale_fingerprints: set[str] = set()
    stale_services: set[str] = set()
    in_flight: dict[str, Future[_Written]] = {}  # fingerprint -> its latest write
    written: list[tuple[AlertRun, Future[_Written] | _Written]] = []
    fell_back: deque[Alert] = deque()  # writes off this thread that fell back, as they finish

    def note_fallback(alert: Alert, future: Future[_Written]) -> None:
        if future.exception() is None and future.result().fell_back:
            fell_back.append(alert)

    def write(run: AlertRun, context: AlertContext, decision: Decision, now: datetime) -> _Written:
        try:
            outcome = service.carry_out(workspace_id, run.alert, context, decision, run.count, now, opened)
        except ConflictError:
            return _Written(service.ingest_one(workspace_id, run.alert, run.count, opened), fell_back=True)
        _remember(contexts, run.alert, context, outcome, run.count, now)
        return _Written(outcome, fell_back=False)

    with ThreadPoolExecutor(max(1, concurrency)) as pool:
        try:
            for run in runs:
                alert = run.alert
                while fell_back:
                    stale = fell_back.popleft()
                    stale_fingerprints.add(stale.fingerprint)
                    stale_services.add(stale.service or "")
                previous = in_flight.pop(alert.fingerprint, None)
                if previous is not None and previous.result().fell_back:
                    stale_fingerprints.add(alert.fingerprint)
                if alert.fingerprint in stale_fingerprints or (alert.service and alert.service in stale_services):
                    outcome = service.ingest_one(workspace_id, alert, run.count, opened)
                    written.append((run, _Written(outcome, fell_back=True)))
                    continue
                now = service.now()
                context = contexts.context(alert)
                decision = service.decision_for(alert, context, now)
                if concurrency > 1 and not _moves_anchor(decision):
                    # Each write in the caller's context (log correlation ids).
                    future = pool.submit(copy_context().run, write, run, context, decision, now)
                    future.add_done_callback(partial(note_fallback, alert))
                    in_flight[alert.fingerprint] = future
                    written.append((run, future))
                    continue
                done = write(run, context, decision, now)
                if done.fell_back:
                    stale_fingerprints.add(alert.fingerprint)
                    if alert.service:
                        stale_services.add(alert.service)
                written.append((run, done))
        finally:
            # Every write ends before an error is raised, so nothing is still writing when the request answers.
            wait([item for _run, item in written if isinstance(item, Future)])
    outcomes: list[AlertOutcome | None] = [None] * len(alerts)
    for run, item in written:
        outcome = item.result().outcome if isinstance(item, Future) else item.outcome
        outcomes[run.positions[0]] = outcome
        for position in run.positions[1:]:
            outcomes[position] = outcome.repeated(dedup_strategy(run.alert))
    done_outcomes = [outcome for outcome in outcomes if outcome is not None]
    assert len(done_outcomes) == len(alerts), "every position belongs to exactly one run"
    return done_outcomes


def _moves_anchor(decision: Decision) -> bool:
    """Whether carrying the decision out changes what later runs of its service read (their anchor)."""
    if isinstance(decision, OpenIncident):
        return decision.anchor_write is not None
    return isinstance(decision, ResolveIncident) and decision.release_anchor


def _remember(
    contexts: AlertContexts, alert: Alert, context: AlertContext, outcome: AlertOutcome, count: int, now: datetime
) -> None:
    """Bring the batch-read facts up to date with what a run just wrote, for the runs after it. A write off
    this thread touches only its own fingerprint's claim, which its fingerprint's next run waits for."""
    claim = context.open_fingerprint
    if outcome.action == "created" and outcome.incident_id is not None:
        contexts.claims[alert.fingerprint] = OpenFingerprint(
            outcome.incident_id, count, now, outcome.group_id, last_alert_at=now
        )
        if alert.service and outcome.group_id is None:
            # A root of its service: decide() claimed or replaced the anchor (a child leaves it alone).
            contexts.anchors[alert.service] = ServiceAnchor(outcome.incident_id, now)
    elif outcome.action == "deduplicated" and claim is not None:
        contexts.claims[alert.fingerprint] = replace(claim, alert_count=claim.alert_count + count, last_alert_at=now)
    elif outcome.action == "resolved":
        contexts.claims[alert.fingerprint] = None
        anchor = context.anchor
        if alert.service and anchor is not None and anchor.incident_id == outcome.incident_id:
            contexts.anchors[alert.service] = None

"""InvestigationStarter: the one way an investigation begins, whether an operator asks (POST /investigate) or
the investigation queue does, and the queue's consumer: one investigation per incident group, at a bounded pace.

Under an alert storm the ingest path only queues a request per new incident group, from its root
(investigations/subscribers.py; a grouped child's diagnosis is its root's). The starter takes a batch, counts
a redelivered request once, starts each root's investigation unless it has one, then holds the batch while
those executions run. That hold is what bounds the work: at most the
queue's consumers times their batch size investigations run at once, so a storm neither floods Step
Functions (nor, locally, the emulator's threads) nor competes with alert intake for more than that share.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from aisre.core.clock import utc_now
from aisre.core.errors import NotFoundError, ValidationError
from aisre.core.observability import logger
from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.incidents.service.lifecycle import IncidentService
from aisre.investigations.model.investigation import Investigation, InvestigationStatus
from aisre.investigations.model.start_requests import InvestigationRequest, coalesce
from aisre.investigations.ports import InvestigationStore, Workflow

STARTED_EVENT = "diagnosis_started"

# Watching an execution is one small read. The first looks come soon (an analyzer investigation takes a few
# hundred ms, and the batch waiting behind this one should not wait a whole interval more), then back off to once
# a second, which keeps the cost negligible beside the steps.
_WATCH_FIRST_INTERVAL_SECONDS = 0.05
_WATCH_INTERVAL_SECONDS = 1.0
# Stop watching this long before the function's own time runs out, so the batch is answered in time.
_WATCH_MARGIN_SECONDS = 5.0


def new_investigation_id() -> str:
    return f"inv-{secrets.token_hex(6)}"


def execution_input(investigation: Investigation) -> dict[str, str]:
    return {
        "workspace_id": investigation.workspace_id,
        "incident_id": investigation.incident_id,
        "investigation_id": investigation.id,
    }


@dataclass
class StartReport:
    """What a batch came to: investigations started, incidents that failed (to be retried), incidents that do
    not exist (dropped), executions still running when the batch was released."""

    started: list[str] = field(default_factory=list)
    failed_incidents: set[tuple[str, str]] = field(default_factory=set)
    gone: list[str] = field(default_factory=list)
    still_running: list[str] = field(default_factory=list)

    def failed(self, request: InvestigationRequest) -> bool:
        return (request.workspace_id, request.incident_id) in self.failed_incidents


class InvestigationStarter:
    def __init__(
        self,
        store: InvestigationStore,
        incidents: IncidentService,
        workflow: Workflow | None,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_investigation_id,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._store = store
        self._incidents = incidents
        self._workflow = workflow
        self._clock = clock
        self._new_id = new_id
        self._sleep = sleep
        self._monotonic = monotonic

    def start(self, incident: Incident, trigger: str) -> Investigation:
        """Record the investigation (and its first timeline event), then start its execution."""
        workflow = self.required_workflow()
        investigation = Investigation(
            id=self._new_id(),
            workspace_id=incident.workspace_id,
            incident_id=incident.id,
            trigger=trigger,
            started_at=self._clock(),
        )
        self._store.create(investigation)
        self._event(investigation, incident.id, STARTED_EVENT, {"trigger": trigger})
        workflow.start(investigation.id, execution_input(investigation))
        return investigation

    def required_workflow(self) -> Workflow:
        if self._workflow is None:
            raise ValidationError(
                "no investigation state machine is configured (INVESTIGATION_STATE_MACHINE_ARN)",
                field="INVESTIGATION_STATE_MACHINE_ARN",
            )
        return self._workflow

    def start_requested(self, requests: Sequence[InvestigationRequest], watch_seconds: float) -> StartReport:
        """Start the investigation each request asks for unless its incident has one, then watch the running
        ones for up to `watch_seconds`. A failure is reported per incident, never raised: the rest stands."""
        report = StartReport()
        running: list[str] = []
        for request in coalesce(requests):
            try:
                investigation = self._investigation_for(request, report)
            except NotFoundError:
                # Nothing to investigate, now or on a retry (its workspace was deleted, say): drop the request.
                logger.warning("investigation requested for %s, which does not exist", request.incident_id)
                report.gone.append(request.incident_id)
                continue
            except Exception:
                logger.exception("could not start the investigation of %s", request.incident_id)
                report.failed_incidents.add((request.workspace_id, request.incident_id))
                continue
            if investigation.status is InvestigationStatus.RUNNING:
                running.append(investigation.id)
        report.still_running = self._watch(running, watch_seconds)
        return report

    def _investigation_for(self, request: InvestigationRequest, report: StartReport) -> Investigation:
        """The incident's latest investigation, else a new one.

        A request redelivered after its investigation was recorded finds it here. If that one is still
        running, its execution is started again: a no-op when it runs, and the repair when the first try
        stopped between the record and the start."""
        latest = self._store.of_incident(request.workspace_id, request.incident_id, limit=1)
        if latest:
            investigation = self._store.get(request.workspace_id, latest[0])
            if investigation.status is InvestigationStatus.RUNNING:
                self.required_workflow().start(investigation.id, execution_input(investigation))
            return investigation
        investigation = self.start(self._incidents.get(request.workspace_id, request.incident_id), request.trigger)
        report.started.append(investigation.id)
        return investigation

    def _watch(self, names: list[str], watch_seconds: float) -> list[str]:
        """Wait while any of the executions runs, up to `watch_seconds`; the ones still running then."""
        workflow = self.required_workflow() if names else None
        deadline = self._monotonic() + max(0.0, watch_seconds - _WATCH_MARGIN_SECONDS)
        running = list(names)
        interval = _WATCH_FIRST_INTERVAL_SECONDS
        while running and workflow is not None:
            running = [name for name in running if workflow.is_running(name)]
            if not running or self._monotonic() >= deadline:
                break
            self._sleep(interval)
            interval = min(interval * 2, _WATCH_INTERVAL_SECONDS)
        return running

    def _event(
        self, investigation: Investigation, incident_id: str, event_type: str, payload: dict[str, object]
    ) -> None:
        self._incidents.record_event(
            investigation.workspace_id,
            TimelineEvent(
                incident_id=incident_id,
                event_type=event_type,
                actor="system",
                payload={"investigation_id": investigation.id, **payload},
                created_at=self._clock(),
            ),
        )

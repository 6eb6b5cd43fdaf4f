"""DiagnosisReader: an incident's latest finished diagnosis (or its group root's), with the approval asked for each
suggested action beside it. Light on purpose: the store, incidents and remediation's read-only proposal state, none
of the engine (analyzer rules, agent, tools), so reading a diagnosis builds nothing that investigates or acts."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from aisre.core.clock import utc_now
from aisre.incidents.model.incident import Incident
from aisre.incidents.service.lifecycle import IncidentService
from aisre.investigations.model.investigation import Diagnosis, Investigation, InvestigationStatus, with_approvals
from aisre.investigations.model.start_requests import QueuedInvestigation
from aisre.investigations.ports import InvestigationStore, ProposalState
from aisre.remediation.model.approvals import SuggestionApproval

# How often a waiting /diagnosis re-reads the investigation: two small reads, so a short interval is cheap.
_DIAGNOSIS_POLL_SECONDS = 0.05
# How long after an incident opens its queued investigation request is still expected to be taken: past it,
# an incident without an investigation is "not investigated" (the request went to the dead-letter queue).
QUEUE_HORIZON = timedelta(hours=1)


class DiagnosisReader:
    def __init__(
        self,
        store: InvestigationStore,
        incidents: IncidentService,
        proposals: ProposalState | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._store = store
        self._incidents = incidents
        self._proposals = proposals
        self._clock = clock

    def diagnosis(
        self, workspace_id: str | None, incident_id: str, wait_seconds: float, *, queued: bool = False
    ) -> Diagnosis | Investigation | QueuedInvestigation | None:
        """The latest finished diagnosis of the incident, else of its group (a grouped child shares its root's);
        else, after waiting up to `wait_seconds`, the running investigation, or (when `queued`: new incidents
        are investigated automatically) the request still in the queue for a group opened within
        QUEUE_HORIZON; None when there is none and none is expected."""
        incident = self._incidents.get(workspace_id, incident_id)
        root = self._root(incident)
        expected = queued and self._clock() - (root or incident).created_at < QUEUE_HORIZON
        deadline = time.monotonic() + wait_seconds
        while True:
            found, running, investigated = self._read(incident, root)
            if found is not None:
                return self._with_approvals(incident, found)
            awaited = expected and not investigated
            if (running is None and not awaited) or time.monotonic() >= deadline:
                return QueuedInvestigation(incident.id) if awaited else running
            time.sleep(_DIAGNOSIS_POLL_SECONDS)

    def finished_diagnosis(self, incident: Incident) -> Diagnosis | None:
        """The latest finished diagnosis of `incident` (as read) or of its group's root, with its approvals; None
        while there is none. No waiting: what an autonomy cycle reads."""
        found, _running, _investigated = self._read(incident, self._root(incident))
        return self._with_approvals(incident, found) if found is not None else None

    def _root(self, incident: Incident) -> Incident | None:
        return self._incidents.get(incident.workspace_id, incident.group_id) if incident.group_id else None

    def _read(self, incident: Incident, root: Incident | None) -> tuple[Diagnosis | None, Investigation | None, bool]:
        """(the latest finished diagnosis, a running investigation, whether any investigation exists)."""
        subjects = [incident.id] + ([root.id] if root else [])
        running: Investigation | None = None
        investigation_ids = [
            found for subject in subjects for found in self._store.of_incident(incident.workspace_id, subject)
        ]
        for investigation_id in investigation_ids:
            investigation = self._store.get(incident.workspace_id, investigation_id)
            if investigation.diagnosis is not None:
                return investigation.diagnosis, None, True
            if investigation.status is InvestigationStatus.RUNNING and running is None:
                running = investigation
        return None, running, bool(investigation_ids)

    def _with_approvals(self, incident: Incident, diagnosis: Diagnosis) -> Diagnosis:
        """Approvals are asked under the incident the operator looked at: a grouped child shows its root's
        diagnosis, so the root's approvals count too, and the child's own win."""
        if self._proposals is None or not diagnosis.suggested_actions:
            return diagnosis
        approvals: dict[str, SuggestionApproval] = {}
        if diagnosis.incident_id != incident.id:
            approvals.update(self._proposals.approvals_of(incident.workspace_id, diagnosis.incident_id))
        approvals.update(self._proposals.approvals_of(incident.workspace_id, incident.id))
        return with_approvals(diagnosis, approvals)

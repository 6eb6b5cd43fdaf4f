"""The interfaces an autonomy cycle needs: open incidents (IncidentService), their finished diagnoses with the
approvals asked (investigations' DiagnosisReader), the one path to a cluster (remediation's ActionService), and the
store of its own decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from aisre.autonomy.model.cycle import Decision
from aisre.core.paging import Page
from aisre.incidents.model.incident import Incident, IncidentState
from aisre.investigations.model.investigation import Diagnosis
from aisre.remediation.model.approvals import Approval
from aisre.remediation.model.execution import ActionOutcome
from aisre.remediation.model.requests import ActionRequest


class OpenIncidents(Protocol):
    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]: ...


class Diagnoses(Protocol):
    def finished_diagnosis(self, incident: Incident) -> Diagnosis | None:
        """The incident's (or its group root's) latest finished diagnosis, each suggestion with its approval."""


class Remediation(Protocol):
    """ActionService: the policy, idempotency and verification every action goes through, whoever asks."""

    def execute(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        *,
        idempotency_key: str | None = None,
        approval: Approval | None = None,
    ) -> ActionOutcome: ...

    def request_approval(
        self,
        workspace_id: str,
        request: ActionRequest,
        principal: str,
        *,
        note: str | None = None,
        for_suggestion: bool = False,
    ) -> Approval: ...


class DecisionStore(Protocol):
    def decisions_of(self, workspace_id: str, incident_id: str, mode: str) -> dict[str, Decision]:
        """The incident's decisions in `mode`, by suggestion_key."""

    def claim(self, decision: Decision, now: datetime) -> bool:
        """Put `decision` (claimed) unless one that still holds at `now` is there: False when another holds it."""

    def finish(self, decision: Decision) -> None:
        """Write the decision's outcome, on condition that its cycle still holds it."""


class IncidentReader(Protocol):
    def get(self, workspace_id: str | None, incident_id: str) -> Incident:
        """The incident; NotFoundError when the workspace has none of that id."""


class Questions(Protocol):
    def answer(self, message: str, incident: Incident) -> str:
        """The investigation engine's answer to `message` about `incident`, in words (read-only tools, no write)."""

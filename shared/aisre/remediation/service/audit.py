"""An action's steps on its incident: the outcome on the timeline, /actions and /activity (counted in the
incident's metrics), and the events around it (refused, approval requested, approved, rejected)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aisre.core.auth import AUTONOMY_PRINCIPAL
from aisre.core.errors import AisreError
from aisre.core.observability import logger
from aisre.incidents.model.incident import ActionRecord, Incident, TimelineEvent
from aisre.remediation.model.execution import ActionOutcome, OutcomeStatus
from aisre.remediation.model.requests import ActionRequest
from aisre.remediation.ports import IncidentLog


def _marked(principal: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What an autonomy cycle did (or asked for) says so on the incident, besides its actor."""
    return {**payload, "autonomous": True} if principal == AUTONOMY_PRINCIPAL else payload


_EVENT_OF_OUTCOME = {
    OutcomeStatus.DRY_RUN: "action_dry_run",
    OutcomeStatus.SUCCESS: "action_executed",
    OutcomeStatus.FAILED: "action_failed",
}


class IncidentAudit:
    """Writes through the incidents' service. The cluster and the execution record are already what they are
    when this runs, so a failure here is logged, never answered as the action's failure."""

    def __init__(self, incidents: IncidentLog, clock: Callable[[], datetime]):
        self._incidents = incidents
        self._clock = clock

    def outcome(
        self, incident: Incident | None, request: ActionRequest, principal: str, outcome: ActionOutcome
    ) -> None:
        if incident is None or outcome.status is OutcomeStatus.PENDING_APPROVAL:
            return
        now = self._clock()
        details: dict[str, Any] = {"message": outcome.message, **outcome.target}
        for name in ("execution_id", "approval_id", "verified"):
            value = getattr(outcome, name)
            if value is not None:
                details[name] = value
        if outcome.proposal:
            details["proposal"] = outcome.proposal.get("summary")
        details = _marked(principal, details)
        action = ActionRecord(
            incident_id=incident.id,
            action=request.action,
            outcome=outcome.status.value,
            actor=principal,
            dry_run=outcome.dry_run,
            namespace=request.namespace,
            details=details,
            created_at=now,
        )
        event = TimelineEvent(
            incident_id=incident.id,
            event_type=_EVENT_OF_OUTCOME[outcome.status],
            actor=principal,
            payload={"action": request.action, **details},
            created_at=now,
        )
        try:
            self._incidents.record_action(incident, action, [event])
        except AisreError as error:
            logger.error(
                "action not recorded on its incident", extra={"incident_id": incident.id, "error": error.message}
            )

    def event(
        self, incident: Incident | None, principal: str, event_type: str, action: str, payload: dict[str, Any]
    ) -> None:
        if incident is None:
            return
        event = TimelineEvent(
            incident_id=incident.id,
            event_type=event_type,
            actor=principal,
            payload=_marked(principal, {"action": action, **payload}),
            created_at=self._clock(),
        )
        try:
            self._incidents.record_event(incident.workspace_id, event)
        except AisreError as error:
            logger.error(
                "event not recorded on its incident", extra={"incident_id": incident.id, "error": error.message}
            )

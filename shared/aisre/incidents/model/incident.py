"""Incidents, their timeline events and lifecycle: what an operator lists, follows and moves along."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from aisre.core.errors import InvalidTransitionError
from aisre.incidents.model.alert import Severity


class IncidentState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


# Which states each operator action may start from. Resolved is final: a new firing opens a new incident.
_ALLOWED_FROM: dict[IncidentState, frozenset[IncidentState]] = {
    IncidentState.ACKNOWLEDGED: frozenset({IncidentState.OPEN}),
    IncidentState.RESOLVED: frozenset({IncidentState.OPEN, IncidentState.ACKNOWLEDGED}),
}


def check_transition(current: IncidentState, target: IncidentState) -> None:
    """Raise InvalidTransitionError unless an incident in `current` may move to `target`."""
    allowed = _ALLOWED_FROM.get(target, frozenset())
    if current not in allowed:
        raise InvalidTransitionError(
            f"cannot move an incident from {current.value} to {target.value}",
            field="state",
            details={"current_state": current.value, "requested_state": target.value},
        )


class DeployCorrelation(BaseModel):
    deploy_id: str
    service: str
    actor: str | None = None
    image: str | None = None
    minutes_before_incident: float


class Incident(BaseModel):
    id: str
    workspace_id: str
    title: str
    description: str = ""
    severity: Severity
    state: IncidentState = IncidentState.OPEN
    source: str
    provider: str
    service: str | None = None
    namespace: str | None = None
    pod: str | None = None
    deployment: str | None = None
    fingerprint: str
    fingerprint_kind: str = "identity"
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    links: list[str] = Field(default_factory=list)
    created_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    alert_count: int = 1
    last_alert_at: datetime | None = None
    group_id: str | None = None
    correlation_reason: str | None = None
    deploy_correlation: DeployCorrelation | None = None
    actions_taken: int = 0
    external_id: str | None = None
    # Fields of the opening alert cut to fit the store (alert_bounds), and the payload it came in, kept whole.
    truncated_fields: list[str] = Field(default_factory=list)
    raw_payload_id: str | None = None

    @property
    def truncated(self) -> bool:
        return bool(self.truncated_fields)

    @property
    def is_open(self) -> bool:
        return self.state is not IncidentState.RESOLVED

    def duration_minutes(self) -> float | None:
        if self.resolved_at is None:
            return None
        return round((self.resolved_at - self.created_at).total_seconds() / 60, 2)


class TimelineEvent(BaseModel):
    incident_id: str
    event_type: str
    actor: str
    payload: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime


class ActionRecord(BaseModel):
    """A remediation or lifecycle action taken on an incident (what /actions and /activity list)."""

    incident_id: str
    action: str
    outcome: str
    actor: str
    dry_run: bool = False
    namespace: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime


def incident_metrics(incident: Incident) -> dict[str, Any]:
    """The response-time figures of an incident (seed 001's metrics summary)."""
    first_response = incident.acknowledged_at or incident.resolved_at
    return {
        "time_to_first_response_minutes": _minutes_between(incident.created_at, first_response),
        "resolution_time_minutes": incident.duration_minutes(),
        "actions_taken": incident.actions_taken,
        "alert_count": incident.alert_count,
    }


def metric_timeline(incident: Incident) -> list[dict[str, Any]]:
    """Each metric as it became known, oldest first (derived from the lifecycle timestamps)."""
    points: list[dict[str, Any]] = []
    if incident.acknowledged_at is not None:
        points.append(
            {
                "metric_name": "time_to_first_response_minutes",
                "value": _minutes_between(incident.created_at, incident.acknowledged_at),
                "created_at": incident.acknowledged_at,
            }
        )
    if incident.resolved_at is not None:
        if incident.acknowledged_at is None:
            points.append(
                {
                    "metric_name": "time_to_first_response_minutes",
                    "value": incident.duration_minutes(),
                    "created_at": incident.resolved_at,
                }
            )
        points.append(
            {
                "metric_name": "resolution_time_minutes",
                "value": incident.duration_minutes(),
                "created_at": incident.resolved_at,
            }
        )
    return points


def _minutes_between(start: datetime, end: datetime | None) -> float | None:
    if end is None:
        return None
    return round((end - start).total_seconds() / 60, 2)

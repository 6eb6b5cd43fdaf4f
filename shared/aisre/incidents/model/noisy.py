"""Noisy incidents: resolved quickly with nobody acting on them, the candidates for a threshold review."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from aisre.incidents.model.alert import Severity
from aisre.incidents.model.incident import Incident, IncidentState

# The longest an incident may have lasted and still be listed as noisy (the API's largest
# max_duration_minutes). The store keeps only incidents within it where /incidents/noisy reads.
NOISY_MAX_DURATION_MINUTES = 24 * 60


def is_noisy_candidate(incident: Incident) -> bool:
    """Resolved within NOISY_MAX_DURATION_MINUTES with no action taken: `actions_taken`, the count of what
    GET /incidents/{id}/actions lists, is 0. An operator's acknowledge or resolve is an action (it is listed
    there), so an incident someone had to handle is never noisy; one its monitoring resolved is."""
    if incident.state is not IncidentState.RESOLVED or incident.resolved_at is None:
        return False
    lasted = (incident.resolved_at - incident.created_at).total_seconds()
    return incident.actions_taken == 0 and lasted <= NOISY_MAX_DURATION_MINUTES * 60


class NoisyIncident(BaseModel):
    """What /incidents/noisy lists of one incident."""

    id: str
    workspace_id: str
    title: str
    severity: Severity
    service: str | None = None
    created_at: datetime
    resolved_at: datetime
    alert_count: int

    @property
    def duration_seconds(self) -> float:
        return (self.resolved_at - self.created_at).total_seconds()

    def duration_minutes(self) -> float:
        return round(self.duration_seconds / 60, 2)

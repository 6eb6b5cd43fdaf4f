"""IncidentService: reading incidents and moving them through their lifecycle."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import ConflictError, NotFoundError, StorageError
from aisre.core.paging import Page
from aisre.incidents.model.deploy import correlate_deploy, correlation_message
from aisre.incidents.model.incident import (
    ActionRecord,
    Incident,
    IncidentState,
    TimelineEvent,
    check_transition,
    incident_metrics,
    metric_timeline,
)
from aisre.incidents.model.noisy import NoisyIncident
from aisre.incidents.ports import DeployStore, IncidentStore
from aisre.incidents.service.ingest import MAX_ATTEMPTS


class IncidentService:
    def __init__(
        self,
        incidents: IncidentStore,
        deploys: DeployStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_resolved: Callable[[Incident, str | None], None] | None = None,
        on_acknowledged: Callable[[Incident], None] | None = None,
    ):
        self._incidents = incidents
        self._deploys = deploys
        self._clock = clock
        self._on_resolved = on_resolved
        self._on_acknowledged = on_acknowledged

    # -- reads --------------------------------------------------------------------------------------

    def open_incident_with(self, workspace_id: str, fingerprint: str) -> str | None:
        """The id of the open incident that owns this fingerprint, if one does."""
        context = self._incidents.load_alert_context(workspace_id, fingerprint, None)
        return context.open_fingerprint.incident_id if context.open_fingerprint else None

    def record_event(self, workspace_id: str, event: TimelineEvent) -> None:
        """Put an event on an incident's timeline (PagerDuty's updates, investigations' progress)."""
        self._incidents.append_event(workspace_id, event)

    def record_action(self, incident: Incident, action: ActionRecord, events: Sequence[TimelineEvent] = ()) -> None:
        """Put an action taken on `incident` (as `get` read it: a remediation, its dry run) on its timeline,
        `/actions` and `/activity`, counted in its metrics, in one write. NotFoundError if it is gone."""
        try:
            self._incidents.record_action(incident.workspace_id, action, events)
        except ConflictError as gone:
            raise NotFoundError(f"incident {incident.id} not found", field="incident_id") from gone

    def get(self, workspace_id: str | None, incident_id: str) -> Incident:
        return self._incidents.get_incident(workspace_id, incident_id)

    def list_incidents(
        self, workspace_id: str | None, state: IncidentState | None, limit: int, cursor: str | None
    ) -> Page[Incident]:
        return self._incidents.list_incidents(workspace_id, state, limit, cursor)

    def detail(self, workspace_id: str | None, incident_id: str) -> tuple[Incident, dict[str, Any], list[ActionRecord]]:
        incident = self.get(workspace_id, incident_id)
        actions = self._incidents.actions(incident.workspace_id, incident.id)
        return incident, incident_metrics(incident), actions

    def timeline(
        self, workspace_id: str | None, incident_id: str, limit: int, cursor: str | None
    ) -> Page[TimelineEvent]:
        incident = self.get(workspace_id, incident_id)
        return self._incidents.timeline(incident.workspace_id, incident.id, limit, cursor)

    def metrics(
        self, workspace_id: str | None, incident_id: str
    ) -> tuple[Incident, dict[str, Any], list[dict[str, Any]]]:
        incident = self.get(workspace_id, incident_id)
        return incident, incident_metrics(incident), metric_timeline(incident)

    def actions(self, workspace_id: str | None, incident_id: str) -> list[ActionRecord]:
        incident = self.get(workspace_id, incident_id)
        return self._incidents.actions(incident.workspace_id, incident.id)

    def actions_of(self, incident: Incident) -> list[ActionRecord]:
        """The actions taken on an incident already read (no second read of the incident)."""
        return self._incidents.actions(incident.workspace_id, incident.id)

    def recent_events(self, incident: Incident, limit: int) -> list[TimelineEvent]:
        """The incident's latest `limit` timeline events, newest first, in one read: what happened last (its
        latest diagnosis, say) without paging through an alert storm's duplicates."""
        return self._incidents.recent_events(incident.workspace_id, incident.id, limit)

    def group(self, workspace_id: str | None, incident_id: str) -> dict[str, Any]:
        incident = self.get(workspace_id, incident_id)
        children = self._incidents.children(incident.workspace_id, incident.id)
        return {
            "incident_id": incident.id,
            "parent_id": incident.group_id,
            "correlation_reason": incident.correlation_reason,
            "children": children,
            "is_parent": bool(children),
        }

    def grouped_alert_titles(self, workspace_id: str, incident_id: str, limit: int = 20) -> list[str]:
        """The titles of the incidents grouped under this one (its group's children), oldest first, at most
        `limit`: what the rest of an alert storm of one service said, for the root's investigation."""
        children = self._incidents.children(workspace_id, incident_id)[:limit]
        return [self.get(workspace_id, child["incident_id"]).title for child in children]

    def activity(self, workspace_id: str | None, limit: int) -> list[ActionRecord]:
        return self._incidents.activity(workspace_id, limit)

    def noisy(
        self, workspace_id: str | None, max_duration_minutes: float, lookback_hours: int, limit: int
    ) -> list[NoisyIncident]:
        """Incidents resolved in the last `lookback_hours` within `max_duration_minutes` with no action taken
        (model/noisy.py), newest first."""
        since = self._clock() - timedelta(hours=lookback_hours)
        return self._incidents.noisy_incidents(workspace_id, since, max_duration_minutes * 60, limit)

    def deploy_correlation(self, workspace_id: str | None, incident_id: str, lookback_minutes: int) -> dict[str, Any]:
        incident = self.get(workspace_id, incident_id)
        service = incident.service or incident.deployment
        correlation = None
        if service:
            deploys = self._deploys.deploys_of_service(
                incident.workspace_id,
                service,
                incident.created_at - timedelta(minutes=lookback_minutes),
                incident.created_at,
            )
            correlation = correlate_deploy(deploys, incident.created_at, lookback_minutes)
        return {
            "incident_id": incident.id,
            "has_correlation": correlation is not None,
            "correlated_deploy": correlation.model_dump() if correlation else None,
            "lookback_minutes": lookback_minutes,
            "message": correlation_message(correlation, lookback_minutes),
        }

    # -- lifecycle ----------------------------------------------------------------------------------

    def acknowledge(self, workspace_id: str | None, incident_id: str, actor: str, note: str | None = None) -> Incident:
        for _attempt in range(MAX_ATTEMPTS):
            incident = self.get(workspace_id, incident_id)
            check_transition(incident.state, IncidentState.ACKNOWLEDGED)
            now = self._clock()
            event = _lifecycle_event(incident, "incident_acknowledged", actor, note, now)
            action = _lifecycle_action(incident, "acknowledge", actor, note, now)
            try:
                self._incidents.acknowledge(incident.workspace_id, incident.id, now, [event], action)
            except ConflictError:
                continue  # its state changed since we read it: re-read, and the check above decides
            acknowledged = incident.model_copy(update={"state": IncidentState.ACKNOWLEDGED, "acknowledged_at": now})
            if self._on_acknowledged is not None:
                self._on_acknowledged(acknowledged)
            return acknowledged
        raise StorageError(f"incident {incident_id} kept changing; not acknowledged")

    def resolve(self, workspace_id: str | None, incident_id: str, actor: str, note: str | None = None) -> Incident:
        for _attempt in range(MAX_ATTEMPTS):
            incident = self.get(workspace_id, incident_id)
            check_transition(incident.state, IncidentState.RESOLVED)
            context = self._incidents.load_alert_context(incident.workspace_id, incident.fingerprint, incident.service)
            now = self._clock()
            event = _lifecycle_event(incident, "incident_resolved", actor, note, now)
            action = _lifecycle_action(incident, "resolve", actor, note, now)
            try:
                self._incidents.resolve(
                    incident.workspace_id, incident.id, now, context, [event], action, current=incident
                )
            except ConflictError:
                continue
            resolved = self.get(incident.workspace_id, incident.id)
            if self._on_resolved is not None:
                self._on_resolved(resolved, note)
            return resolved
        raise StorageError(f"incident {incident_id} kept changing; not resolved")


def _lifecycle_event(incident: Incident, event_type: str, actor: str, note: str | None, now: datetime) -> TimelineEvent:
    payload: dict[str, Any] = {"previous_state": incident.state.value}
    if note:
        payload["note"] = note
    return TimelineEvent(incident_id=incident.id, event_type=event_type, actor=actor, payload=payload, created_at=now)


def _lifecycle_action(incident: Incident, action: str, actor: str, note: str | None, now: datetime) -> ActionRecord:
    return ActionRecord(
        incident_id=incident.id,
        action=action,
        outcome="success",
        actor=actor,
        namespace=incident.namespace,
        details={"note": note} if note else {},
        created_at=now,
    )

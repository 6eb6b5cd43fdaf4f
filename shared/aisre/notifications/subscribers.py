"""What notifications do when the other capabilities publish (aisre/subscriptions.py names these).

Each only queues: one SendMessageBatch per publication, never a channel, a store read or a route. The ingest path
publishes new incidents, so what it pays for notifications is one queue call per delivery of alerts; the delivery
function routes and sends at its own pace, and a channel that is down cannot slow or fail an alert."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aisre.core.clock import utc_now
from aisre.core.observability import logger
from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.incidents.model.incident import Incident
    from aisre.notifications.model.events import EventType
    from aisre.notifications.model.queue_messages import QueueMessage
    from aisre.remediation.model.approvals import Approval


def notify_new_incidents(scope: Scope, incidents: Sequence[Incident]) -> None:
    from aisre.notifications.model.events import EventType

    window = scope.settings.notification_group_update_seconds
    announced_here = [incident for incident in incidents if _GROUPS_TOLD.first_in_window(incident, window)]
    _queue_events(scope, announced_here, EventType.INCIDENT_OPENED, lambda incident: incident.created_at)


class _RecentGroups:
    """The storm groups this process announced a later incident of, and when. Within a group update's window the
    next ones need no announcement of their own: the update that the announced one queued is sent at the window's
    end and reads the group's size from the incidents then, so it counts them. In a storm of one service this keeps
    the alert path to one queue call per group per window, not one per incident."""

    def __init__(self, max_groups: int = 10_000) -> None:
        self._told: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._max_groups = max_groups

    def first_in_window(self, incident: Incident, window: float) -> bool:
        if not incident.group_id or incident.group_id == incident.id:
            return True  # a root, or an incident of no group: always announced
        key, now = (incident.workspace_id, incident.group_id), time.monotonic()
        with self._lock:
            told = self._told.get(key)
            if told is not None and now - told < window:
                return False
            if len(self._told) >= self._max_groups:
                self._told = {k: at for k, at in self._told.items() if now - at < window}
            self._told[key] = now
            return True


_GROUPS_TOLD = _RecentGroups()


def notify_acknowledged(scope: Scope, incident: Incident) -> None:
    from aisre.notifications.model.events import EventType

    _queue_events(scope, [incident], EventType.INCIDENT_ACKNOWLEDGED, lambda item: item.acknowledged_at or utc_now())


def notify_resolved(scope: Scope, resolved: tuple[Incident, str | None]) -> None:
    from aisre.notifications.model.events import EventType

    incident, note = resolved
    _queue_events(
        scope, [incident], EventType.INCIDENT_RESOLVED, lambda item: item.resolved_at or utc_now(), summary=note
    )


def notify_resolved_by_alert(scope: Scope, resolved: tuple[str, str, datetime]) -> None:
    from aisre.notifications.model.events import EventType
    from aisre.notifications.model.queue_messages import IncidentFact

    workspace_id, incident_id, at = resolved
    fact = IncidentFact(EventType.INCIDENT_RESOLVED, workspace_id, incident_id, at, {"resolved_by": "alert"})
    _send(scope, [fact])


def notify_diagnosis(scope: Scope, investigation: Any) -> None:
    """A finished investigation: its diagnosis's summary, root cause and confidence, for the incident's people."""
    from aisre.notifications.model.events import EventType
    from aisre.notifications.model.queue_messages import IncidentFact

    diagnosis = investigation.diagnosis
    if diagnosis is None:
        return
    data = {
        "investigation_id": investigation.id,
        "summary": diagnosis.summary,
        "root_cause": diagnosis.root_cause,
        "confidence": diagnosis.confidence,
        "suggested_actions": [item.get("name") for item in diagnosis.suggested_actions][:5],
    }
    at = investigation.finished_at or utc_now()
    _send(
        scope,
        [
            IncidentFact(
                EventType.INVESTIGATION_COMPLETED, investigation.workspace_id, investigation.incident_id, at, data
            )
        ],
    )


def notify_approval_requested(scope: Scope, approval: Approval) -> None:
    from aisre.notifications.model.events import EventType, NotificationEvent
    from aisre.notifications.model.incident_events import event_id
    from aisre.notifications.model.queue_messages import IncidentFact, RouteEvent

    data = {
        "action": approval.action,
        "arguments": approval.arguments,
        "reason": approval.reason,
        "requested_by": approval.requested_by,
        "expires_at": approval.expires_at.isoformat(),
    }
    message: QueueMessage
    if approval.incident_id:
        message = IncidentFact(
            EventType.APPROVAL_REQUESTED, approval.workspace_id, approval.incident_id, approval.requested_at, data,
            approval_id=approval.id,
        )  # fmt: skip
    else:
        message = RouteEvent(
            NotificationEvent(
                event_id=event_id(EventType.APPROVAL_REQUESTED, approval.workspace_id, approval.id),
                event_type=EventType.APPROVAL_REQUESTED,
                workspace_id=approval.workspace_id,
                occurred_at=approval.requested_at,
                severity="warning",
                title=f"Approval requested: {approval.action}",
                summary=approval.reason,
                approval_id=approval.id,
                data=data,
            )
        )
    _send(scope, [message])


def _queue_events(
    scope: Scope, incidents: Sequence[Incident], event_type: EventType, moment: Any, summary: str | None = None
) -> None:
    from aisre.notifications.model.incident_events import announced, coalesce_openings, from_incident
    from aisre.notifications.model.queue_messages import RouteEvent

    base_url = scope.settings.public_base_url
    events = [
        from_incident(incident, event_type, occurred_at=moment(incident), base_url=base_url, summary=summary)
        for incident in incidents
        # A storm's child is acknowledged or resolved silently: its group's root speaks for it.
        if event_type.value == "incident.opened" or announced(incident)
    ]
    _send(scope, [RouteEvent(event) for event in coalesce_openings(events)])


def _send(scope: Scope, messages: Sequence[QueueMessage]) -> None:
    if not messages or not scope.settings.notifications_enabled:
        return
    from aisre.notifications.providers import notification_queue

    queue = scope.get(notification_queue)
    if queue is None:
        logger.debug("NOTIFICATION_QUEUE_URL is not set: %d notification(s) not queued", len(messages))
        return
    queue.send(messages)

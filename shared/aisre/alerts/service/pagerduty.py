"""PagerDuty sync: v3 webhook events and Events API v2 mirror PagerDuty's incident state here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aisre.alerts.model.pagerduty_delivery import check_age, read_envelope
from aisre.alerts.model.payload import parse_body
from aisre.alerts.ports import ReceiptStore
from aisre.alerts.service.intake import AlertIntake, Received, status_of
from aisre.core.clock import utc_now
from aisre.core.errors import AisreError, InvalidTransitionError, NotFoundError
from aisre.incidents.model.alert import Alert, AlertStatus
from aisre.incidents.model.incident import TimelineEvent
from aisre.incidents.service.lifecycle import IncidentService

PAGERDUTY_ACTOR = "pagerduty"
# Receipts by the v3 event's own id, beside those by X-Webhook-Id.
EVENT_RECEIPTS = "pagerduty-event"
# v3 event types that open (or re-open) an incident here; resolution is read from the alert status.
_OPENING = {"incident.triggered", "incident.reopened", "incident.trigger"}
_ACKNOWLEDGING = {"incident.acknowledged", "incident.acknowledge"}


class PagerDutySync:
    def __init__(
        self,
        intake: AlertIntake,
        incidents: IncidentService,
        receipts: ReceiptStore,
        *,
        receipt_retention_days: int,
        max_event_age: timedelta = timedelta(hours=72),
        event_retention_days: int = 7,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._intake = intake
        self._incidents = incidents
        self._receipts = receipts
        self._receipt_retention_days = receipt_retention_days
        self._max_event_age = max_event_age
        self._event_retention_days = event_retention_days
        self._clock = clock

    def handle_delivery(
        self, workspace_id: str, body: bytes, content_type: str | None, webhook_id: str | None
    ) -> dict[str, Any]:
        """A v3 delivery, answered from its receipt when PagerDuty redelivers the same X-Webhook-Id, or when
        the same event comes again under another one (a captured delivery replayed); refused, and kept in
        the dead-letter store, when the event is older than PAGERDUTY_MAX_EVENT_AGE_SECONDS."""
        if webhook_id:
            previous = self._receipts.get(workspace_id, "pagerduty", webhook_id)
            if previous is not None:
                return previous | {"deduplicated": True, "dedup_strategy": "webhook_id", "redelivery": True}
        try:
            alerts = self._intake.read_alerts("pagerduty", body, content_type, allow_empty=True)
            envelope = read_envelope(parse_body(body, content_type))
            check_age(envelope, self._clock(), self._max_event_age)
        except AisreError as error:
            self._intake.dead_letter(workspace_id, "pagerduty", body, content_type, error, status_code=status_of(error))
            raise
        if envelope.event_id:
            previous = self._receipts.get(workspace_id, EVENT_RECEIPTS, envelope.event_id)
            if previous is not None:
                return previous | {"deduplicated": True, "dedup_strategy": "event_id", "redelivery": True}
        sync = self.handle_webhook(workspace_id, alerts, Received("pagerduty", body, content_type))
        # The incident existed before this event unless the event created it (or concerned none).
        existed = sync["action_taken"] not in {"created", "created_acknowledged", "ignored"}
        response = {
            "incident_id": sync["local_incident_id"],
            "deduplicated": existed,
            "dedup_strategy": "provider_fingerprint" if existed else None,
            "group_id": None,
        } | sync
        if webhook_id:
            self._receipts.put(workspace_id, "pagerduty", webhook_id, response, self._receipt_retention_days)
        if envelope.event_id:
            self._receipts.put(workspace_id, EVENT_RECEIPTS, envelope.event_id, response, self._event_retention_days)
        return response

    def handle_webhook(
        self, workspace_id: str, alerts: list[Alert], received: Received | None = None
    ) -> dict[str, Any]:
        """One v3 webhook delivery (one event) -> seed 001's PagerDuty response."""
        if not alerts:
            # Pings, notes and responder events: acknowledged (PagerDuty disables webhooks that keep failing).
            return {
                "ok": True,
                "event_type": None,
                "pd_incident_id": None,
                "local_incident_id": None,
                "action_taken": "ignored",
            }
        alert = alerts[0]
        event_type = alert.labels.get("pagerduty_event_type", "")
        response: dict[str, Any] = {"ok": True, "event_type": event_type, "pd_incident_id": alert.external_id}
        if alert.is_resolved or event_type in _OPENING:
            result = self._intake.ingest_alerts(workspace_id, [alert], received)
            outcome = result.outcomes[0]
            action = {"created": "created", "deduplicated": "updated", "resolved": "resolved"}.get(
                outcome.action, "ignored"
            )
            truncated = {"truncated": True} if result.truncated else {}
            return response | {"local_incident_id": outcome.incident_id, "action_taken": action} | truncated
        if event_type in _ACKNOWLEDGING:
            incident_id, action = self._acknowledge(workspace_id, alert, received)
            return response | {"local_incident_id": incident_id, "action_taken": action}
        incident_id = self._open_incident_of(workspace_id, alert)
        if incident_id is None:
            return response | {"local_incident_id": None, "action_taken": "ignored"}
        self._incidents.record_event(workspace_id, _pagerduty_event(incident_id, alert))
        return response | {"local_incident_id": incident_id, "action_taken": "updated"}

    def handle_event(self, workspace_id: str, alert: Alert, received: Received | None = None) -> str | None:
        """One Events API v2 event; returns the incident it concerns (acknowledge acknowledges it)."""
        if alert.labels.get("pagerduty_event_action") == "acknowledge":
            incident_id, _action = self._acknowledge(workspace_id, alert, received)
            return incident_id
        return self._intake.ingest_alerts(workspace_id, [alert], received).outcomes[0].incident_id

    def _acknowledge(self, workspace_id: str, alert: Alert, received: Received | None) -> tuple[str | None, str]:
        incident_id = self._open_incident_of(workspace_id, alert)
        action = "acknowledged"
        if incident_id is None:
            # An incident PagerDuty knows and we never saw: mirror it, then acknowledge it.
            firing = alert.model_copy(update={"status": AlertStatus.FIRING})
            incident_id = self._intake.ingest_alerts(workspace_id, [firing], received).outcomes[0].incident_id
            action = "created_acknowledged"
        if incident_id is None:
            return None, "ignored"
        try:
            self._incidents.acknowledge(workspace_id, incident_id, actor=PAGERDUTY_ACTOR)
        except InvalidTransitionError:
            action = "already_acknowledged"
        except NotFoundError:
            return None, "ignored"
        return incident_id, action

    def _open_incident_of(self, workspace_id: str, alert: Alert) -> str | None:
        return self._incidents.open_incident_with(workspace_id, alert.fingerprint)


def _pagerduty_event(incident_id: str, alert: Alert) -> TimelineEvent:
    """An update PagerDuty made (reassigned, escalated, annotated...) as a timeline event, not an alert."""
    event_type = alert.labels.get("pagerduty_event_type", "incident.updated")
    return TimelineEvent(
        incident_id=incident_id,
        event_type="pagerduty_" + event_type.removeprefix("incident.").replace(".", "_"),
        actor=PAGERDUTY_ACTOR,
        payload={"event_type": event_type, "status": alert.labels.get("pagerduty_status"), "title": alert.title},
        created_at=datetime.now(UTC),
    )

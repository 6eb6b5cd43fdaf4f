"""PagerDuty incident webhooks: V3 ({"event": ...}) and the older V2 ({"messages": [...]})."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_list,
    get_mapping,
    get_mappings,
    get_text,
    parse_time,
    require_mapping,
)
from aisre.alerts.model.severity import parse_severity
from aisre.core.errors import PayloadError
from aisre.incidents.model.alert import Alert, AlertStatus, Severity

PROVIDER = "pagerduty"

_RESOLVED_EVENTS = frozenset({"incident.resolved", "incident.resolve"})
_URGENCY = {"high": Severity.CRITICAL, "low": Severity.WARNING}


def normalize(payload: Any) -> list[Alert]:
    body = require_mapping(payload, PROVIDER)
    if "event" in body:
        return _v3(get_mapping(body, "event"))
    if "messages" in body:
        alerts: list[Alert] = []
        for field, message in get_mappings(get_list(body, "messages"), "messages"):
            event_type = get_text(message, "event", "type", path=field) or ""
            if not event_type.startswith("incident."):
                continue  # V2 pings carry no incident
            if "incident" not in message:
                raise PayloadError(f"{field} has no incident", field=f"{field}.incident")
            incident = get_mapping(message, "incident", field)
            alerts.append(_incident(incident, f"{field}.incident", event_type, occurred_at=None))
        return alerts
    raise PayloadError("pagerduty payload has neither event (V3) nor messages (V2)", field="event")


def _v3(event: Mapping[str, Any]) -> list[Alert]:
    event_type = get_text(event, "event_type", path="event") or ""
    if "data" not in event:
        raise PayloadError("pagerduty event has no data", field="event.data")
    data = get_mapping(event, "data", "event")
    # Pings (pagey.ping) and events about something other than the incident itself (incident.annotated
    # carries an incident_note, responder events an incident_responder) change no alert state.
    if get_text(data, "type", path="event.data") not in (None, "incident"):
        return []
    occurred_at = get_text(event, "occurred_at", path="event")
    return [_incident(data, "event.data", event_type, occurred_at=occurred_at)]


def _incident(incident: Mapping[str, Any], path: str, event_type: str, occurred_at: str | None) -> Alert:
    incident_id = get_text(incident, "id", path=path)
    status = (get_text(incident, "status", path=path) or "").lower()
    # A resolved incident stays resolved in the events that follow (e.g. a priority change after the fact).
    resolved = event_type in _RESOLVED_EVENTS or status == "resolved"
    urgency = (get_text(incident, "urgency", path=path) or "").lower()
    priority = get_text(get_mapping(incident, "priority", path), "summary", "name", path=f"{path}.priority")
    service = get_mapping(incident, "service", path)
    number = get_text(incident, "number", "incident_number", path=path)
    labels = {
        "pagerduty_event_type": event_type,
        "pagerduty_status": status,
        "pagerduty_urgency": urgency,
        "pagerduty_priority": priority or "",
        "pagerduty_incident_number": number or "",
        "pagerduty_incident_key": get_text(incident, "incident_key", path=path) or "",
        "pagerduty_service_id": get_text(service, "id", path=f"{path}.service") or "",
    }
    return build_alert(
        provider=PROVIDER,
        title=get_text(incident, "title", "summary", path=path),
        description=get_text(incident, "description", path=path),
        # A priority (P1..P5) is the responder's judgement; urgency is only the notification rule.
        severity=parse_severity(priority, default=_URGENCY.get(urgency, Severity.WARNING)),
        status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
        labels={key: value for key, value in labels.items() if value},
        service=get_text(service, "summary", "name", path=f"{path}.service"),
        starts_at=parse_time(get_text(incident, "created_at", path=path)),
        ends_at=parse_time(occurred_at) if resolved else None,
        links=[link for link in (get_text(incident, "html_url", path=path),) if link],
        provider_fingerprint=incident_id,
        external_id=incident_id,
    )

"""PagerDuty Events API v2 events (trigger, acknowledge, resolve), for tools that speak it to us."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_links,
    get_mapping,
    get_text,
    kubernetes_fields,
    parse_time,
    require_mapping,
    str_dict,
)
from aisre.alerts.model.severity import parse_severity
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import Alert, AlertStatus, Severity

PROVIDER = "pagerduty_events"
SOURCE = "pagerduty"
_ACTIONS = ("trigger", "acknowledge", "resolve")
_SEVERITY = {
    "critical": Severity.CRITICAL,
    "error": Severity.HIGH,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
}


def normalize(payload: Any) -> list[Alert]:
    body = require_mapping(payload, PROVIDER)
    action = (get_text(body, "event_action") or "").lower()
    if not action:
        raise PayloadError("pagerduty event has no event_action", field="event_action")
    if action not in _ACTIONS:
        raise ValidationError(
            f"event_action must be one of {', '.join(_ACTIONS)}, got '{action}'", field="event_action"
        )
    dedup_key = get_text(body, "dedup_key")
    if action != "trigger" and not dedup_key:
        raise PayloadError(f"a {action} event needs the dedup_key of the alert it acts on", field="dedup_key")
    if action == "trigger" and "payload" not in body:
        raise PayloadError("a trigger event needs a payload", field="payload")
    event = get_mapping(body, "payload")
    summary = get_text(event, "summary", path="payload")
    if action == "trigger" and not summary:
        raise PayloadError("a trigger event needs payload.summary", field="payload.summary")
    details = _details(event)
    labels = {
        key: value
        for key, value in (
            ("pagerduty_event_action", action),
            ("source", get_text(event, "source", path="payload")),
            ("component", get_text(event, "component", path="payload")),
            ("group", get_text(event, "group", path="payload")),
            ("class", get_text(event, "class", path="payload")),
        )
        if value
    }
    kube = kubernetes_fields(details)
    severity_word = (get_text(event, "severity", path="payload") or "").lower()
    return [
        build_alert(
            provider=PROVIDER,
            source=SOURCE,
            # acknowledge and resolve carry no payload; the dedup key names the alert they act on.
            title=summary or dedup_key,
            severity=_SEVERITY.get(severity_word) or parse_severity(severity_word),
            status=AlertStatus.RESOLVED if action == "resolve" else AlertStatus.FIRING,
            labels=labels,
            annotations=details,
            service=details.get("service") or labels.get("component") or labels.get("group"),
            namespace=kube["namespace"],
            pod=kube["pod"],
            deployment=kube["deployment"],
            starts_at=parse_time(get_text(event, "timestamp", path="payload")),
            links=[*get_links(body, "links"), *get_links(body, "images"), *get_links(body, "client_url")],
            provider_fingerprint=dedup_key,
            external_id=dedup_key,
        )
    ]


def _details(event: Mapping[str, Any]) -> dict[str, str]:
    """custom_details as annotations; PagerDuty also accepts text (or any JSON value) there."""
    details = event.get("custom_details")
    if isinstance(details, Mapping):
        return str_dict(details)
    return {key: value for key, value in str_dict({"details": details}).items() if value.strip()}

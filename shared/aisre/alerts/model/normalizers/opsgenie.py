"""Opsgenie outgoing webhook: {"action": "Create" | "Close" | ..., "alert": {...}}."""

from __future__ import annotations

from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_mapping,
    get_text,
    kubernetes_fields,
    parse_time,
    require_mapping,
    str_dict,
    tags_to_labels,
)
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import Alert, AlertStatus, Severity

PROVIDER = "opsgenie"
_PRIORITY = {
    "p1": Severity.CRITICAL,
    "p2": Severity.HIGH,
    "p3": Severity.WARNING,
    "p4": Severity.INFO,
    "p5": Severity.INFO,
}


def normalize(payload: Any) -> list[Alert]:
    body = require_mapping(payload, PROVIDER)
    if "alert" not in body:
        raise PayloadError("opsgenie payload has no alert", field="alert")
    alert = get_mapping(body, "alert")
    action = get_text(body, "action") or ""
    title = get_text(alert, "message", path="alert")
    if not title:
        raise PayloadError("opsgenie alert has no message", field="alert.message")
    tags = alert.get("tags")
    if tags is not None and not isinstance(tags, list | str):
        raise ValidationError(f"alert.tags must be a list, got {type(tags).__name__}", field="alert.tags")
    details = str_dict(get_mapping(alert, "details", "alert"))
    labels = {**tags_to_labels(tags), **details}
    if action:
        # Lets the service layer tell an Acknowledge or AddNote from a new Create.
        labels["opsgenie_action"] = action
    closed = action.lower() == "close"
    alert_id = get_text(alert, "alertId", path="alert")
    priority = get_text(alert, "priority", path="alert") or "P3"  # Opsgenie's default priority
    kube = kubernetes_fields(labels)
    return [
        build_alert(
            provider=PROVIDER,
            title=title,
            description=get_text(alert, "description", path="alert"),
            severity=_PRIORITY.get(priority.lower(), Severity.WARNING),
            status=AlertStatus.RESOLVED if closed else AlertStatus.FIRING,
            labels=labels,
            service=details.get("service") or get_text(alert, "entity", path="alert") or kube["service"],
            namespace=kube["namespace"],
            pod=kube["pod"],
            deployment=kube["deployment"],
            starts_at=parse_time(get_text(alert, "createdAt", path="alert")),
            # updatedAt (nanoseconds) is when the Close happened.
            ends_at=parse_time(get_text(alert, "updatedAt", path="alert")) if closed else None,
            # The alias is Opsgenie's own dedup key; it defaults to the alert id.
            provider_fingerprint=get_text(alert, "alias", path="alert") or alert_id,
            external_id=alert_id,
        )
    ]

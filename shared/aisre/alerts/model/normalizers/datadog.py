"""Datadog webhook integration, read with the variable names of its default and documented templates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_text,
    kubernetes_fields,
    parse_time,
    require_mapping,
    tags_to_labels,
)
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import Alert, AlertStatus, Severity

PROVIDER = "datadog"
_RESOLVED_TRANSITIONS = frozenset({"recovered", "resolved"})
_PRIORITY = {
    "p1": Severity.CRITICAL,
    "p2": Severity.HIGH,
    "p3": Severity.WARNING,
    "p4": Severity.INFO,
    "p5": Severity.INFO,
}
_ALERT_TYPE = {
    "error": Severity.CRITICAL,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
    "success": Severity.INFO,
}
# "[P1] [Triggered on {host:web-1}] High CPU": the bracketed prefixes change with every transition.
_TITLE_PREFIX = re.compile(r"^(?:\s*\[[^\]]*\])+\s*")


def normalize(payload: Any) -> list[Alert]:
    body = require_mapping(payload, PROVIDER)
    title = get_text(body, "title", "alert_title", "event_title")
    if not title:
        raise PayloadError("datadog payload has no title ($EVENT_TITLE)", field="title")
    transition = (get_text(body, "alert_transition") or "").lower()
    alert_type = (get_text(body, "alert_type") or "").lower()
    resolved = transition in _RESOLVED_TRANSITIONS or alert_type == "success"
    priority = (get_text(body, "alert_priority", "priority") or "").lower()
    scope = get_text(body, "alert_scope") or ""
    labels = {**_tags(body), **tags_to_labels(scope)}
    labels.pop("*", None)  # the scope of a simple (ungrouped) monitor
    for label, key in (
        ("host", "hostname"),
        ("metric", "alert_metric"),
        ("datadog_transition", "alert_transition"),
        ("datadog_event_type", "event_type"),
    ):
        value = get_text(body, key)
        if value:
            labels[label] = value
    alert_id = get_text(body, "alert_id")
    kube = kubernetes_fields(labels)
    return [
        build_alert(
            provider=PROVIDER,
            title=title,
            description=get_text(body, "body", "text_only_msg", "event_msg", "text"),
            severity=_PRIORITY.get(priority) or _ALERT_TYPE.get(alert_type, Severity.WARNING),
            status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
            labels=labels,
            service=kube["service"],
            namespace=kube["namespace"],
            pod=kube["pod"],
            deployment=kube["deployment"],
            starts_at=parse_time(get_text(body, "date", "last_updated")),
            links=[link for link in (get_text(body, "link"), get_text(body, "snapshot")) if link],
            provider_fingerprint=_fingerprint(body, alert_id, scope),
            identity_title=_TITLE_PREFIX.sub("", get_text(body, "alert_title") or title) or None,
            external_id=alert_id,
        )
    ]


def _tags(body: Mapping[str, Any]) -> dict[str, str]:
    tags = body.get("tags")
    if tags is not None and not isinstance(tags, str | list):
        raise ValidationError(f"tags must be text or a list, got {type(tags).__name__}", field="tags")
    return tags_to_labels(tags)


def _fingerprint(body: Mapping[str, Any], alert_id: str | None, scope: str) -> str | None:
    """$AGGREG_KEY groups a monitor's notifications; else the monitor id and the group it alerted on."""
    aggreg_key = get_text(body, "aggreg_key")
    if aggreg_key:
        return aggreg_key
    if alert_id and scope:
        return f"{alert_id}:{scope}"
    return alert_id

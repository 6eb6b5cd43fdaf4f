"""Generic webhook: an alert object in the platform's own vocabulary, a list of them, or {"alerts": [...]}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_links,
    get_mapping,
    get_mappings,
    get_text,
    kubernetes_fields,
    parse_time,
    str_dict,
)
from aisre.alerts.model.severity import parse_severity
from aisre.core.errors import PayloadError
from aisre.incidents.model.alert import Alert, AlertStatus

PROVIDER = "webhook"

# Status words tools use; anything else (acknowledged, pending, ...) is still firing.
_RESOLVED_WORDS = frozenset({"resolved", "resolve", "ok", "closed", "close", "recovered", "recovery"})


def normalize(payload: Any) -> list[Alert]:
    if isinstance(payload, list):
        return [_alert(item, field) for field, item in get_mappings(payload, "body")]
    body = _mapping(payload)
    if isinstance(body.get("alerts"), list):
        return [_alert(item, field) for field, item in get_mappings(body["alerts"], "alerts")]
    return [_alert(body, "")]


def _mapping(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise PayloadError(
            f"webhook payload must be an alert object or a list of them, got {type(payload).__name__}",
            field="body",
        )
    return payload


def _alert(item: Mapping[str, Any], path: str) -> Alert:
    labels = str_dict(get_mapping(item, "labels", path))
    annotations = str_dict(get_mapping(item, "annotations", path))
    message = get_text(item, "message", path=path)
    alertname = get_text(item, "alertname", path=path) or labels.get("alertname")
    title = get_text(item, "title", "name", "summary", path=path) or message or alertname
    title = title or annotations.get("summary")
    if not title:
        field = f"{path}.title" if path else "title"
        raise PayloadError("webhook alert has no title (title, name, summary, message or alertname)", field=field)
    # "message" is the body text when the title came from title, name or summary.
    description = get_text(item, "description", path=path) or annotations.get("description")
    description = description or (message if message != title else None)
    kube = kubernetes_fields(labels)
    status_word = (get_text(item, "status", "state", path=path) or "").lower()
    return build_alert(
        provider=PROVIDER,
        source=get_text(item, "source", path=path),
        title=title,
        description=description,
        severity=parse_severity(get_text(item, "severity", "priority", path=path) or labels.get("severity")),
        status=AlertStatus.RESOLVED if status_word in _RESOLVED_WORDS else AlertStatus.FIRING,
        labels=labels,
        annotations=annotations,
        service=get_text(item, "service", path=path) or kube["service"],
        namespace=get_text(item, "namespace", path=path) or kube["namespace"],
        pod=get_text(item, "pod", path=path) or kube["pod"],
        deployment=get_text(item, "deployment", path=path) or kube["deployment"],
        starts_at=parse_time(get_text(item, "starts_at", "startsAt", "timestamp", path=path)),
        ends_at=parse_time(get_text(item, "ends_at", "endsAt", path=path)),
        links=[*get_links(item, "links", path), *get_links(item, "url", path)],
        provider_fingerprint=get_text(item, "fingerprint", "dedup_key", path=path),
        identity_title=alertname,
    )

"""New Relic webhooks: workflow notifications (default template) and legacy alert-policy channels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_list,
    get_mapping,
    get_mappings,
    get_text,
    kubernetes_fields,
    parse_time,
    require_mapping,
    str_dict,
)
from aisre.alerts.model.severity import parse_severity
from aisre.core.errors import PayloadError
from aisre.incidents.model.alert import Alert, AlertStatus

PROVIDER = "newrelic"
# Keys only the legacy (alert policy channel) webhook sends.
_LEGACY_KEYS = ("incident_id", "current_state", "condition_name", "policy_name")


def normalize(payload: Any) -> list[Alert]:
    body = require_mapping(payload, PROVIDER)
    if any(key in body for key in _LEGACY_KEYS):
        return [_legacy(body)]
    return [_workflow(body)]


def _workflow(body: Mapping[str, Any]) -> Alert:
    title = _first_text(body, "title")
    if not title:
        raise PayloadError("newrelic issue has no title", field="title")
    issue_id = get_text(body, "issueId", "id")
    state = (get_text(body, "state") or "").upper()
    closed = state == "CLOSED"
    labels = _accumulated_tags(get_mapping(body, "accumulations"))
    for label, key in (
        ("newrelic_state", "state"),
        ("newrelic_priority", "priority"),
        ("newrelic_trigger", "trigger"),
        ("workflow_name", "workflowName"),
    ):
        value = get_text(body, key)
        if value:
            labels[label] = value
    for label, key in (("policy_name", "alertPolicyNames"), ("condition_name", "alertConditionNames")):
        value = _first_text(body, key)
        if value:
            labels[label] = value
    kube = kubernetes_fields(labels)
    condition = labels.get("condition_name")
    return build_alert(
        provider=PROVIDER,
        title=title,
        description=get_text(body, "description", "details"),
        severity=parse_severity(get_text(body, "priority")),
        status=AlertStatus.RESOLVED if closed else AlertStatus.FIRING,
        labels=labels,
        service=_first_text(body, "impactedEntities") or kube["service"],
        namespace=kube["namespace"],
        pod=kube["pod"],
        deployment=kube["deployment"],
        starts_at=parse_time(get_text(body, "createdAt")),
        ends_at=parse_time(get_text(body, "updatedAt")) if closed else None,
        links=[link for link in (get_text(body, "issueUrl", "issuePageUrl"),) if link],
        provider_fingerprint=issue_id,
        identity_title=condition,
        external_id=issue_id,
    )


def _legacy(body: Mapping[str, Any]) -> Alert:
    targets = get_mappings(get_list(body, "targets"), "targets")
    target_path, target = targets[0] if targets else ("targets[0]", {})
    labels = str_dict(get_mapping(target, "labels", target_path))
    for label, key in (("policy_name", "policy_name"), ("newrelic_state", "current_state")):
        value = get_text(body, key)
        if value:
            labels[label] = value
    condition = get_text(body, "condition_name")
    if not condition:
        raise PayloadError("newrelic incident has no condition_name", field="condition_name")
    incident_id = get_text(body, "incident_id")
    closed = (get_text(body, "current_state") or "").lower() == "closed"
    # The timestamp is when this state was entered: the close time of a closed incident.
    at = parse_time(get_text(body, "timestamp"))
    kube = kubernetes_fields(labels)
    return build_alert(
        provider=PROVIDER,
        title=condition,
        description=get_text(body, "details"),
        severity=parse_severity(get_text(body, "severity")),
        status=AlertStatus.RESOLVED if closed else AlertStatus.FIRING,
        labels=labels,
        service=get_text(target, "name", path=target_path) or kube["service"],
        namespace=kube["namespace"],
        pod=kube["pod"],
        deployment=kube["deployment"],
        starts_at=None if closed else at,
        ends_at=at if closed else None,
        links=[
            link
            for link in (
                get_text(body, "incident_url"),
                get_text(body, "runbook_url"),
                get_text(body, "violation_chart_url"),
                get_text(target, "link", path=target_path),
            )
            if link
        ],
        provider_fingerprint=incident_id,
        identity_title=condition,
        external_id=incident_id,
    )


def _first_text(body: Mapping[str, Any], key: str, path: str = "") -> str | None:
    """A text field that workflow templates render either as text or as a list (take the first)."""
    value = body.get(key)
    if isinstance(value, list):
        return get_text({key: value[0]}, key, path=path) if value else None
    return get_text(body, key, path=path)


def _accumulated_tags(accumulations: Mapping[str, Any]) -> dict[str, str]:
    """accumulations {"tag.service": ["payments"], ...} as labels {"service": "payments"}."""
    labels: dict[str, str] = {}
    for key, value in accumulations.items():
        name = str(key)
        if name.startswith("tag."):
            text = _first_text({name: value}, name, path="accumulations")
            if text:
                labels[name.removeprefix("tag.")] = text
    return labels

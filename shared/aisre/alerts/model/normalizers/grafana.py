"""Grafana webhooks: unified alerting (Alertmanager-shaped) and legacy dashboard alerting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.alerts.model.normalizers._common import (
    build_alert,
    get_list,
    get_mappings,
    get_text,
    kubernetes_fields,
    require_mapping,
    tags_to_labels,
)
from aisre.alerts.model.normalizers.alertmanager import read_alert
from aisre.alerts.model.severity import parse_severity
from aisre.core.errors import PayloadError, ValidationError
from aisre.incidents.model.alert import Alert, AlertStatus

PROVIDER = "grafana"

# Keys only legacy (pre-unified) alerting sends; unified payloads always carry an alerts list.
_LEGACY_KEYS = ("ruleName", "ruleId", "ruleUrl", "evalMatches", "dashboardId", "panelId")


def normalize(payload: Any) -> list[Alert]:
    body = require_mapping(payload, PROVIDER)
    if "alerts" not in body:
        if any(key in body for key in _LEGACY_KEYS):
            return [_legacy_alert(body)]
        raise PayloadError("grafana payload has no alerts list (nor legacy ruleName)", field="alerts")
    external_url = get_text(body, "externalURL")
    group_status = get_text(body, "status")
    alerts: list[Alert] = []
    for field, item in get_mappings(get_list(body, "alerts"), "alerts"):
        alert = read_alert(
            item,
            field,
            PROVIDER,
            group_status=group_status,
            extra_links=[external_url],
            link_keys=("generatorURL", "dashboardURL", "panelURL"),
        )
        value_string = get_text(item, "valueString", path=field)
        if value_string:
            # The evaluated values ("[ var='A' labels={} value=97 ]") help an investigation.
            annotations = {**alert.annotations, "value_string": value_string}
            alert = alert.model_copy(update={"annotations": annotations})
        alerts.append(alert)
    return alerts


def _legacy_alert(body: Mapping[str, Any]) -> Alert:
    tags = body.get("tags")
    if tags is not None and not isinstance(tags, Mapping | list | str):
        raise ValidationError(f"tags must be an object, got {type(tags).__name__}", field="tags")
    labels = tags_to_labels(tags)
    rule_name = get_text(body, "ruleName")
    state = (get_text(body, "state") or "alerting").lower()
    kube = kubernetes_fields(labels)
    return build_alert(
        provider=PROVIDER,
        title=rule_name or get_text(body, "title"),
        description=get_text(body, "message"),
        severity=parse_severity(labels.get("severity")),
        status=AlertStatus.RESOLVED if state == "ok" else AlertStatus.FIRING,
        labels={**labels, "grafana_state": state},
        annotations=_eval_matches(body),
        service=kube["service"],
        namespace=kube["namespace"],
        pod=kube["pod"],
        deployment=kube["deployment"],
        links=[link for link in (get_text(body, "ruleUrl"), get_text(body, "imageUrl")) if link],
        # The legacy title is "[Alerting] <rule name>": the prefix changes with the state.
        identity_title=rule_name,
        external_id=get_text(body, "ruleId"),
    )


def _eval_matches(body: Mapping[str, Any]) -> dict[str, str]:
    """The metric values that crossed the threshold, as one annotation ("cpu=95.2, mem=80")."""
    matches = [
        f"{get_text(match, 'metric', path=field) or '?'}={get_text(match, 'value', path=field) or '?'}"
        for field, match in get_mappings(get_list(body, "evalMatches"), "evalMatches")
    ]
    return {"eval_matches": ", ".join(matches)} if matches else {}

"""Prometheus Alertmanager webhook (version 4), and the bare alert list Prometheus itself posts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

PROVIDER = "alertmanager"


def normalize(payload: Any) -> list[Alert]:
    if isinstance(payload, list):
        # Prometheus posts its alerts as a bare list, with no group around them.
        return [read_alert(item, field, PROVIDER) for field, item in get_mappings(payload, "body")]
    body = require_mapping(payload, PROVIDER)
    if "alerts" not in body:
        raise PayloadError("alertmanager payload has no alerts list", field="alerts")
    group_status = get_text(body, "status")
    external_url = get_text(body, "externalURL")
    return [
        read_alert(item, field, PROVIDER, group_status=group_status, extra_links=[external_url])
        for field, item in get_mappings(get_list(body, "alerts"), "alerts")
    ]


def read_alert(
    item: Mapping[str, Any],
    path: str,
    provider: str,
    *,
    group_status: str | None = None,
    extra_links: Iterable[str | None] = (),
    link_keys: tuple[str, ...] = ("generatorURL",),
) -> Alert:
    """One Alertmanager-shaped alert (Grafana's unified alerting sends the same shape)."""
    labels = str_dict(get_mapping(item, "labels", path))
    annotations = str_dict(get_mapping(item, "annotations", path))
    alertname = labels.get("alertname")
    title = annotations.get("summary") or annotations.get("title") or alertname
    if not title:
        raise PayloadError(
            f"{provider} alert has neither annotations.summary nor labels.alertname",
            field=f"{path}.labels.alertname",
        )
    # The alert's own status wins: a group can be "firing" while some of its alerts have resolved.
    status = (get_text(item, "status", path=path) or group_status or "firing").lower()
    links = [get_text(item, key, path=path) for key in link_keys]
    kube = kubernetes_fields(labels)
    return build_alert(
        provider=provider,
        title=title,
        description=annotations.get("description") or annotations.get("message"),
        severity=parse_severity(labels.get("severity")),
        status=AlertStatus.RESOLVED if status == "resolved" else AlertStatus.FIRING,
        labels=labels,
        annotations=annotations,
        service=kube["service"],
        namespace=kube["namespace"],
        pod=kube["pod"],
        deployment=kube["deployment"],
        starts_at=parse_time(get_text(item, "startsAt", path=path)),
        ends_at=parse_time(get_text(item, "endsAt", path=path)),
        links=[link for link in (*links, annotations.get("runbook_url"), *extra_links) if link],
        provider_fingerprint=get_text(item, "fingerprint", path=path),
        # The summary is templated and may carry values ("CPU at 93%"); the alertname does not.
        identity_title=alertname,
    )

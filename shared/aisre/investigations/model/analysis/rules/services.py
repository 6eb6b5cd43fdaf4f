"""A Service without endpoints: its selector matches no pod (which labels the pods carry instead), or the pods
it selects are not ready. Cites the Service's selector and endpoints lines and the namespace's pods."""

from __future__ import annotations

import difflib

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.objects import cite, pod_listing, services
from aisre.investigations.model.evidence import Evidence
from aisre.investigations.model.kubectl.labels import matches
from aisre.investigations.model.kubectl.pods import PodRow
from aisre.investigations.model.kubectl.services import ServiceFacts

_SHOWN = 4


def service_without_endpoints(evidence: Evidence) -> Finding | None:
    for service in services(evidence):
        if not service.without_endpoints:
            continue
        lines = [
            cite("Service", service.name, service.selector_line, service.namespace),
            cite("Service", service.name, service.endpoints_line, service.namespace),
        ]
        listed = pod_listing(evidence, service.namespace)
        if not service.selector:
            why = "it has no selector, and no Endpoints object was created for it by hand"
            confidence = 0.8
        elif listed is not None and any(row.labels for row in listed):
            selected = [row for row in listed if matches(service.selector, row.labels)]
            why, confidence = _selected_pods(service, selected, listed, lines)
        else:
            why = f"no ready pod matches its selector `{_selector(service)}`"
            confidence = 0.75
        return Finding(
            rule="service_without_endpoints",
            root_cause=f"Service `{service.name}` (namespace `{service.namespace}`) has no endpoints: {why}, so "
            "traffic sent to it is refused or times out.",
            evidence_lines=tuple(lines),
            confidence=confidence,
            suggestions=(
                "Make the Service's selector match the pods' labels (kubectl get pods --show-labels), or fix the "
                "pods' labels in their template",
                "If pods match but are not ready, fix what fails their readiness probe",
            ),
        )
    return None


def _selected_pods(
    service: ServiceFacts, selected: list[PodRow], listed: list[PodRow], lines: list[str]
) -> tuple[str, float]:
    if selected:
        unready = [row for row in selected if not row.healthy]
        for row in unready[:_SHOWN]:
            lines.append(cite("Pod", row.name, f"READY {row.ready}, STATUS {row.status}", service.namespace))
        if unready:
            return f"the {len(selected)} pod(s) its selector matches are not ready", 0.85
        return "its pods match the selector but are not listed as its endpoints (they may have just turned ready)", 0.5
    near = _near_labels(service, listed)
    for row, label in near[:_SHOWN]:
        lines.append(cite("Pod", row.name, f"Labels: {label}", service.namespace))
    instead = f" (pods there carry {', '.join(f'`{label}`' for _, label in near[:_SHOWN])})" if near else ""
    return f"its selector `{_selector(service)}` matches no pod in the namespace{instead}", 0.92


def _near_labels(service: ServiceFacts, listed: list[PodRow]) -> list[tuple[PodRow, str]]:
    """The pods' labels closest to the selector's: same key, a similar value (a typo, a renamed app)."""
    found: list[tuple[float, PodRow, str]] = []
    for key, value in service.selector.items():
        for row in listed:
            if key in row.labels and row.labels[key] != value:
                score = difflib.SequenceMatcher(None, value, row.labels[key]).ratio()
                found.append((score, row, f"{key}={row.labels[key]}"))
    found.sort(key=lambda item: -item[0])
    seen: set[str] = set()
    out = []
    for _, row, label in found:
        if label not in seen:
            seen.add(label)
            out.append((row, label))
    return out


def _selector(service: ServiceFacts) -> str:
    return ",".join(f"{k}={v}" for k, v in service.selector.items())

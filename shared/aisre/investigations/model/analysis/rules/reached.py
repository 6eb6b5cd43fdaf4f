"""The dependencies a workload's logs name, joined with what was read about them aside: a Service name that does
not resolve because no such Service exists (and which names do), the cluster's DNS itself failing (its pods and
what they log), and a Service that refuses connections because nothing backs it (no endpoints)."""

from __future__ import annotations

import difflib

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.objects import cite, services
from aisre.investigations.model.analysis.rules.runtime import cause_finding, runtime
from aisre.investigations.model.analysis.text import Hit, find
from aisre.investigations.model.evidence import ASIDE_CLUSTER_DNS, ASIDE_DEPENDENCY, LOG_TOOLS, Evidence
from aisre.investigations.model.kubectl.dependencies import (
    CONNECT_FAILURE,
    DNS_FAILURE,
    ServiceRef,
    failed_targets,
    service_of,
    unresolved_hosts,
)
from aisre.investigations.model.kubectl.pods import PodRow, pod_rows
from aisre.investigations.model.kubectl.services import ServiceFacts
from aisre.investigations.model.kubectl.text import table
from aisre.investigations.model.questions.log_lines import split_entries

_SHOWN = 6
_DNS_TIPS = (
    "Fix the DNS pods first (kubectl -n kube-system logs -l k8s-app=kube-dns --previous)",
    "A `plugin/loop` error means CoreDNS forwards to itself: point its `forward` at an upstream resolver, not the "
    "node's 127.0.0.x stub (the Corefile's `forward . /etc/resolv.conf`)",
)


def missing_service(evidence: Evidence) -> Finding | None:
    """The name does not resolve because the cluster has no Service by that name in that namespace."""
    hits = find(runtime(evidence), DNS_FAILURE)
    if not hits:
        return None
    namespace = evidence.issue.subject.namespace or ""
    for host in unresolved_hosts("\n".join(hit.line for hit in hits)):
        ref = service_of(host, namespace)
        listed = _service_names(evidence, ref.namespace) if ref is not None and ref.name else None
        if ref is None or listed is None or ref.name in listed:
            continue
        close = difflib.get_close_matches(ref.name, listed, n=2, cutoff=0.4)
        also = f"; the closest name is `{close[0]}`" if close else ""
        shown = ", ".join(f"`{name}`" for name in listed[:_SHOWN]) or "none"
        cause = (
            f"The application looks up `{host}`, but namespace `{ref.namespace}` has no Service named `{ref.name}`, "
            f"so the name does not resolve (its Services: {shown}{also})."
        )
        tips = (
            f"Point the application at the right Service name{f' (`{close[0]}`?)' if close else ''}, or create "
            f"Service `{ref.name}` in `{ref.namespace}`",
        )
        finding = cause_finding(evidence, "missing_service", cause, _for_host(hits, host), 0.92, *tips)
        listing = f"Services in namespace {ref.namespace}: {', '.join(listed) or '(none)'}"
        return Finding(finding.rule, finding.root_cause, (*finding.evidence_lines, listing), 0.92, finding.suggestions)
    return None


def cluster_dns_failing(evidence: Evidence) -> Finding | None:
    """Names do not resolve because the cluster's DNS pods are not running: what their logs say is why."""
    hits = find(runtime(evidence), DNS_FAILURE)
    if not hits:
        return None
    troubled = [row for row in _dns_pod_rows(evidence) if not row.healthy]
    if not troubled:
        return None
    lines = [cite("Pod", row.name, f"READY {row.ready}, STATUS {row.status}", "kube-system") for row in troubled[:2]]
    said = _worst_log_line(evidence)
    reason = f"; it logs: {said}" if said else ""
    cause = (
        f"The cluster's DNS is failing: {len(troubled)} DNS pod(s) in kube-system are not ready "
        f"({', '.join(f'`{row.name}` {row.status}' for row in troubled[:2])}){reason}. So in-cluster names do not "
        "resolve for the workload."
    )
    finding = cause_finding(evidence, "cluster_dns_failing", cause, hits[:2], 0.93, *_DNS_TIPS)
    extra = (*lines, *([said] if said else []))
    return Finding(finding.rule, finding.root_cause, (*finding.evidence_lines, *extra), 0.93, finding.suggestions)


def dependency_without_endpoints(evidence: Evidence) -> Finding | None:
    """Connections are refused because the Service dialled has no endpoints: no ready pod backs it."""
    hits = [hit for hit in find(runtime(evidence), CONNECT_FAILURE) if not DNS_FAILURE.search(hit.line)]
    if not hits:
        return None
    namespace = evidence.issue.subject.namespace or ""
    wanted = [
        ref for target in failed_targets("\n".join(h.line for h in hits)) if (ref := service_of(target, namespace))
    ]
    for service in services(evidence, aside=True):
        if not service.without_endpoints or not any(_is(ref, service.name, service.cluster_ip) for ref in wanted):
            continue
        said = _most_specific(hits)
        cause = (
            f"The application cannot connect to Service `{service.name}` (namespace `{service.namespace}`; the log "
            f"says {said}): it has no endpoints, no ready pod backs it (scaled to zero, not ready, or a selector "
            "that matches nothing)."
        )
        finding = cause_finding(evidence, "dependency_without_endpoints", cause, hits[:2], 0.9, _bring_up(service))
        cited = [
            cite("Service", service.name, line, service.namespace)
            for line in (service.selector_line, service.endpoints_line)
            if line
        ]
        return Finding(finding.rule, finding.root_cause, (*finding.evidence_lines, *cited), 0.9, finding.suggestions)
    return None


_SPECIFIC = ("connection refused", "econnrefused", "no route to host", "connection reset by peer", "i/o timeout")


def _most_specific(hits: list[Hit]) -> str:
    """What the failure was, as specifically as a line says it ("connection refused" over "failed to connect")."""
    said = [m.group(0).lower() for hit in hits for m in CONNECT_FAILURE.finditer(hit.line)]
    return next((phrase for phrase in _SPECIFIC if phrase in said), said[0] if said else "it cannot connect")


def _bring_up(service: ServiceFacts) -> str:
    selector = ",".join(f"{k}={v}" for k, v in service.selector.items()) or "<its selector>"
    return (
        f"Bring `{service.name}`'s pods up (kubectl -n {service.namespace} get pods -l {selector}), or scale its "
        "workload back up"
    )


def _is(ref: ServiceRef, name: str, cluster_ip: str) -> bool:
    return (bool(ref.name) and ref.name == name) or (bool(ref.address) and ref.address == cluster_ip)


def _for_host(hits: list[Hit], host: str) -> list[Hit]:
    return [hit for hit in hits if host in hit.line][:3] or hits[:3]


def _service_names(evidence: Evidence, namespace: str) -> list[str] | None:
    for result in evidence.aside(ASIDE_DEPENDENCY):
        params = result.params
        if result.tool == "kubectl_get_by_kind_in_namespace" and params.get("namespace") == namespace:
            if result.status != "success":
                return None
            return [row["NAME"] for row in table(result.text) if row.get("NAME")]
    return None


def _dns_pod_rows(evidence: Evidence) -> list[PodRow]:
    for result in evidence.aside(ASIDE_CLUSTER_DNS):
        if result.tool == "kubectl_get_by_kind_in_namespace" and result.status == "success":
            return [row for row in pod_rows(result.text) if row.name.startswith(("coredns-", "kube-dns-"))]
    return []


def _worst_log_line(evidence: Evidence) -> str:
    """The most severe line the DNS pods logged (their previous run's first: a crash loop's reason)."""
    best = ""
    rank = -1
    for result in evidence.aside(ASIDE_CLUSTER_DNS):
        if result.tool not in LOG_TOOLS or result.status != "success":
            continue
        for entry in split_entries(result.text):
            severity = entry.severity + (1 if "FATAL" in entry.head or "[FATAL]" in entry.head else 0)
            if severity > rank:
                best, rank = entry.head.strip(), severity
    return best[:300] if rank >= 3 else ""

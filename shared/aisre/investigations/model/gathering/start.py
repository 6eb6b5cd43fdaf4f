"""Where an investigation starts: the subject resolved from the request and the alert's labels, and its first
reads (the subject's own objects, then what the alert asks about: traces for latency, metrics, recent changes)."""

from __future__ import annotations

import re

from aisre.investigations.model.evidence import Issue, Subject
from aisre.investigations.model.gathering.leads import MAX_TRACES, pods_of
from aisre.investigations.model.gathering.reads import Read, Want, describe, events, read, visit_pod
from aisre.investigations.model.kubectl.kinds import WORKLOADS, canonical

POD_CONTROLLERS = ("deployment", "statefulset", "daemonset", "replicaset")
# A pod created by a Deployment is named <deployment>-<replicaset hash>-<5 chars>.
_REPLICASET_POD = re.compile(r"-[a-z0-9]{6,10}-[a-z0-9]{5}$")
_LATENCY = re.compile(r"latenc|slow|response time|duration|p9\d", re.IGNORECASE)
_THRESHOLD = re.compile(r">\s*(\d+(?:\.\d+)?)\s*(ms|s)\b")
# Alert labels naming the subject, most specific first (kube-state-metrics' and Prometheus' label names).
_LABEL_KINDS = (
    ("pod", "pod"),
    ("job_name", "job"),
    ("job", "job"),
    ("cronjob", "cronjob"),
    ("deployment", "deployment"),
    ("statefulset", "statefulset"),
    ("daemonset", "daemonset"),
    ("replicaset", "replicaset"),
    ("persistentvolumeclaim", "persistentvolumeclaim"),
    ("node", "node"),
)
# The kinds whose metrics are the pods' (by name prefix).
_WITH_POD_METRICS = ("pod", *POD_CONTROLLERS)

# The signals a pod's trouble shows in metrics, by kube-state-metrics and cAdvisor names; `{sel}` is the
# label selector of the subject (a pod, or a workload's pods by name prefix).
_PROMQL = (
    "increase(kube_pod_container_status_restarts_total{{{sel}}}[1h])",
    "max by (pod, container) (container_memory_working_set_bytes{{{sel}, container!=''}})"
    " / on (pod, container) max by (pod, container) (kube_pod_container_resource_limits{{{sel}, resource='memory'}})",
    "sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{{{sel}}}[5m]))"
    " / sum by (pod) (rate(container_cpu_cfs_periods_total{{{sel}}}[5m]))",
)


def resolve_subject(issue: Issue) -> Subject:
    """The subject's kind, name and namespace, from the request and, failing that, the alert's labels."""
    subject = issue.subject
    kind = canonical(subject.kind) or None
    name = subject.name
    namespace = subject.namespace or issue.labels.get("namespace")
    if not name:
        for label, label_kind in _LABEL_KINDS:
            if issue.labels.get(label):
                kind, name = label_kind, issue.labels[label]
                break
    if not name and subject.node:
        kind, name = "node", subject.node
    # Alert pipelines often label a pod's alert with its owner's kind; the generated name says it is a pod.
    if kind in POD_CONTROLLERS and name and _REPLICASET_POD.search(name):
        kind = "pod"
    container = subject.container or issue.labels.get("container")
    return Subject(kind=kind, name=name, namespace=namespace, node=subject.node, container=container)


def first_reads(issue: Issue, subject: Subject) -> list[Read]:
    reads: list[Read] = []
    if issue.issue_id:
        reads.append(read("fetch_finding_by_id", {"id": issue.issue_id}))
    reads += _subject_reads(subject)
    if _LATENCY.search(f"{issue.alertname} {issue.title} {issue.description}"):
        reads.append(_slowest_traces(issue))
    kind, name, namespace = subject.kind, subject.name, subject.namespace
    if name and namespace and kind in _WITH_POD_METRICS:
        reads += _metrics_and_logs(name, namespace)
    reads.append(read("fetch_configuration_changes_metadata", {}))
    return reads


def _subject_reads(subject: Subject) -> list[Read]:
    kind, name, namespace = subject.kind or "", subject.name, subject.namespace
    if not name:
        return []
    if kind == "node":
        return [describe("node", name, None, 0), events("node", name, None, 0)]
    if not namespace:
        return []
    if kind == "pod":
        return visit_pod(name, namespace, 0)
    if not kind:
        # A name without a kind (an alert labelled only with its service's name): most often a Deployment's; its
        # pods are found by name in any case (in the namespace's listing, else across namespaces).
        return [describe("deployment", name, namespace, 0), pods_of("", name, namespace, 0)]
    if kind in WORKLOADS or kind in ("service", "persistentvolumeclaim"):
        # The describe leads on (to the owner, the pods, the claims, the endpoints); get shows the status row.
        by_name = read("kubectl_get_by_name", {"kind": kind, "name": name, "namespace": namespace})
        return [describe(kind, name, namespace, 0), by_name, events(kind, name, namespace, 0)]
    return []


def _slowest_traces(issue: Issue) -> Read:
    """The slowest recent traces, fetched whole next: their spans say where the time goes."""
    threshold = _THRESHOLD.search(issue.description)
    min_duration = f"{threshold.group(1)}{threshold.group(2)}" if threshold else "1s"
    return read("fetch_tempo_traces", {"min_duration": min_duration}, want=Want("traces", limit=MAX_TRACES))


def _metrics_and_logs(name: str, namespace: str) -> list[Read]:
    """Metrics (Prometheus) and aggregated logs (Loki) of the subject, where those tools are configured:
    restarts, memory against its limit, CPU throttling, and the latest log lines."""
    # Kubernetes names hold only [a-z0-9-.]: safe inside PromQL/LogQL strings unescaped ("." matching any
    # character is harmless here, and a backslash escape would not survive Go's string-literal parsing).
    selector = f'namespace="{namespace}", pod=~"{name}.*"'
    reads = [read("prometheus_query_instant", {"query": query.format(sel=selector)}) for query in _PROMQL]
    reads.append(read("loki_query_logs", {"query": f'{{namespace="{namespace}", pod=~"{name}.*"}}', "limit": 200}))
    return reads

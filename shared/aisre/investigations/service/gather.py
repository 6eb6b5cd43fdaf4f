"""Deterministic evidence gathering: which tools to call for an issue, following what earlier results reveal."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aisre.investigations.model.evidence import Evidence, Issue, Subject, ToolResult
from aisre.investigations.ports import ToolRunner

# Each available log tool shows something the others may not (current vs previous container, all containers).
LOG_TOOLS = (
    "fetch_pod_logs",
    "kubectl_logs",
    "kubectl_previous_logs",
    "kubectl_logs_all_containers",
    "kubectl_previous_logs_all_containers",
)
WORKLOAD_KINDS = ("deployment", "statefulset", "daemonset", "replicaset")
# A pod created by a Deployment is named <deployment>-<replicaset hash>-<5 chars>.
_REPLICASET_POD = re.compile(r"-[a-z0-9]{6,10}-[a-z0-9]{5}$")
_LATENCY = re.compile(r"latenc|slow|response time|duration|p9\d", re.IGNORECASE)
_TRACE = re.compile(r"traceID=(\w+)\)\s*\(durationMs=(\d+)")
_THRESHOLD = re.compile(r">\s*(\d+(?:\.\d+)?)\s*(ms|s)\b")
_LABEL_KINDS = (
    ("pod", "pod"),
    ("job_name", "job"),
    ("job", "job"),
    ("deployment", "deployment"),
    ("statefulset", "statefulset"),
    ("daemonset", "daemonset"),
    ("node", "node"),
)
MAX_PODS = 3
MAX_TRACES = 2


def resolve_subject(issue: Issue) -> Subject:
    """The subject's kind, name and namespace, from the request and, failing that, the alert's labels."""
    subject = issue.subject
    kind = (subject.kind or "").lower() or None
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
    if kind in WORKLOAD_KINDS and name and _REPLICASET_POD.search(name):
        kind = "pod"
    container = subject.container or issue.labels.get("container")
    return Subject(kind=kind, name=name, namespace=namespace, node=subject.node, container=container)


class _Session:
    """Calls each (tool, params) once, skipping tools the runner does not offer."""

    def __init__(self, runner: ToolRunner) -> None:
        self.runner = runner
        self.available = runner.available_tools()
        self.results: list[ToolResult] = []
        self._seen: dict[str, ToolResult] = {}

    def call(self, tool: str, **params: Any) -> ToolResult | None:
        if tool not in self.available:
            return None
        key = f"{tool}:{sorted(params.items())}"
        if key not in self._seen:
            result = self.runner.run(tool, params)
            self._seen[key] = result
            self.results.append(result)
        return self._seen[key]


def _text(result: ToolResult | None) -> str:
    return result.text if result is not None and result.status == "success" else ""


def gather(issue: Issue, runner: ToolRunner) -> Evidence:
    session = _Session(runner)
    subject = resolve_subject(issue)
    if issue.issue_id:
        session.call("fetch_finding_by_id", id=issue.issue_id)
    kind, name, namespace = subject.kind, subject.name, subject.namespace
    if name and kind == "pod" and namespace:
        _pod(session, name, namespace)
    elif name and kind in WORKLOAD_KINDS and namespace:
        _workload(session, kind, name, namespace)
    elif name and kind == "job" and namespace:
        _job(session, name, namespace)
    elif name and kind == "node":
        session.call("kubectl_describe", kind="node", name=name)
    if _LATENCY.search(f"{issue.alertname} {issue.title} {issue.description}"):
        _traces(session, issue)
    if name and namespace and kind in ("pod", *WORKLOAD_KINDS):
        _metrics_and_logs(session, name, namespace)
    session.call("fetch_configuration_changes_metadata")
    resolved = Issue(
        title=issue.title,
        description=issue.description,
        source=issue.source,
        subject=subject,
        labels=issue.labels,
        annotations=issue.annotations,
        starts_at=issue.starts_at,
        issue_id=issue.issue_id,
        runbook_urls=issue.runbook_urls,
    )
    return Evidence(issue=resolved, results=tuple(session.results), available_tools=session.available)


def _pod(session: _Session, pod: str, namespace: str) -> None:
    session.call("kubectl_describe", kind="pod", name=pod, namespace=namespace)
    for tool in LOG_TOOLS:
        session.call(tool, pod_name=pod, namespace=namespace)
    session.call("kubectl_events", resource_type="pod", pod_name=pod, namespace=namespace)
    # Lineage shows what selects the pod (Services, NetworkPolicies), which describe does not.
    session.call("kubectl_lineage_children", kind="pod", name=pod, namespace=namespace)


# The signals a pod's trouble shows in metrics, by kube-state-metrics and cAdvisor names; `{sel}` is the
# label selector of the subject (a pod, or a workload's pods by name prefix).
_PROMQL = (
    "increase(kube_pod_container_status_restarts_total{{{sel}}}[1h])",
    "max by (pod, container) (container_memory_working_set_bytes{{{sel}, container!=''}})"
    " / on (pod, container) max by (pod, container) (kube_pod_container_resource_limits{{{sel}, resource='memory'}})",
    "sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{{{sel}}}[5m]))"
    " / sum by (pod) (rate(container_cpu_cfs_periods_total{{{sel}}}[5m]))",
)


def _metrics_and_logs(session: _Session, name: str, namespace: str) -> None:
    """Metrics (Prometheus) and aggregated logs (Loki) of the subject, where those tools are configured:
    restarts, memory against its limit, CPU throttling, and the latest log lines."""
    # Kubernetes names hold only [a-z0-9-.]: safe inside PromQL/LogQL strings unescaped ("." matching any
    # character is harmless here, and a backslash escape would not survive Go's string-literal parsing).
    selector = f'namespace="{namespace}", pod=~"{name}.*"'
    for query in _PROMQL:
        session.call("prometheus_query_instant", query=query.format(sel=selector))
    session.call("loki_query_logs", query=f'{{namespace="{namespace}", pod=~"{name}.*"}}', limit=200)


def _pods_in(session: _Session, namespace: str, belongs: re.Pattern[str]) -> list[str]:
    """Pods of one owner from the namespace's pod list, unhealthy ones first."""
    listing = _text(session.call("kubectl_get_by_kind_in_namespace", kind="pod", namespace=namespace))
    found: list[tuple[bool, str]] = []
    for line in listing.splitlines():
        match = belongs.search(line)
        if match:
            healthy = bool(re.search(r"\b(\d+)/\1\s+Running\b", line))
            found.append((healthy, match.group(1)))
    found.sort(key=lambda item: item[0])
    return _unique(pod for _, pod in found)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _workload(session: _Session, kind: str, name: str, namespace: str) -> None:
    session.call("kubectl_describe", kind=kind, name=name, namespace=namespace)
    session.call("kubectl_get_by_name", kind=kind, name=name, namespace=namespace)
    session.call("kubectl_events", resource_type=kind, pod_name=name, namespace=namespace)
    suffix = {"statefulset": r"\d+", "daemonset": r"[a-z0-9]{5}"}.get(kind, r"[a-z0-9]{6,10}-[a-z0-9]{5}")
    pods = _pods_in(session, namespace, re.compile(rf"(?:^|\s)({re.escape(name)}-{suffix})\s"))
    for pod in pods[:MAX_PODS]:
        _pod(session, pod, namespace)


def _job(session: _Session, name: str, namespace: str) -> None:
    session.call("kubectl_describe", kind="job", name=name, namespace=namespace)
    session.call("kubectl_get_by_name", kind="job", name=name, namespace=namespace)
    pods = _pods_in(session, namespace, re.compile(rf"(?:^|\s)({re.escape(name)}-[a-z0-9]{{5}})\s"))
    if not pods:
        children = _text(session.call("kubectl_lineage_children", kind="job", name=name, namespace=namespace))
        pods = _unique(re.findall(rf"Pod/({re.escape(name)}-[a-z0-9]+)", children))
    for pod in pods[:MAX_PODS]:
        _pod(session, pod, namespace)


def _traces(session: _Session, issue: Issue) -> None:
    """The slowest recent traces, fetched whole: their spans say where the time goes."""
    threshold = _THRESHOLD.search(issue.description)
    min_duration = f"{threshold.group(1)}{threshold.group(2)}" if threshold else "1s"
    listing = _text(session.call("fetch_tempo_traces", min_duration=min_duration))
    traces = sorted(((int(ms), trace_id) for trace_id, ms in _TRACE.findall(listing)), reverse=True)
    for _, trace_id in traces[:MAX_TRACES]:
        session.call("fetch_tempo_trace_by_id", trace_id=trace_id)

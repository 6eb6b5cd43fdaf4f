"""JSON-schema function specs of the read-only tools the ToolRunner serves, by HolmesGPT's tool names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ToolSpec = Mapping[str, Any]

_KIND = {"type": "string", "description": "Kubernetes resource kind, e.g. pod, deployment, job, node, service"}
_NAME = {"type": "string", "description": "Name of the resource"}
_NAMESPACE = {"type": "string", "description": "Kubernetes namespace"}
_POD = {"type": "string", "description": "Name of the pod"}
_CONTAINER = {"type": "string", "description": "Name of the container in the pod"}


def _spec(tool: str, summary: str, required: Sequence[str] = (), /, **properties: Mapping[str, Any]) -> ToolSpec:
    # Positional-only: tool parameters are themselves called `name` and `description`.
    return {
        "type": "function",
        "function": {
            "name": tool,
            "description": summary,
            "parameters": {"type": "object", "properties": dict(properties), "required": list(required)},
        },
    }


def _pod_logs(name: str, description: str) -> ToolSpec:
    return _spec(name, description, ("pod_name", "namespace"), pod_name=_POD, namespace=_NAMESPACE)


def _container_logs(name: str, description: str) -> ToolSpec:
    required = ("container_name", "pod_name", "namespace")
    return _spec(name, description, required, container_name=_CONTAINER, pod_name=_POD, namespace=_NAMESPACE)


def _lineage(name: str, description: str) -> ToolSpec:
    return _spec(name, description, ("kind", "name", "namespace"), kind=_KIND, name=_NAME, namespace=_NAMESPACE)


# Every tool here only reads. Write tools (delete, scale, rollout, exec, apply) are never offered: actions are
# proposals that go through the policy engine and a human approval, not the model.
READ_ONLY_TOOL_SPECS: tuple[ToolSpec, ...] = (
    _spec(
        "kubectl_describe",
        "kubectl describe one resource: status, conditions, container states, recent events.",
        ("kind", "name"),
        kind=_KIND,
        name=_NAME,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_by_name",
        "kubectl get one resource by name (wide output).",
        ("kind", "name"),
        kind=_KIND,
        name=_NAME,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_yaml",
        "The full YAML of one resource.",
        ("kind", "name"),
        kind=_KIND,
        name=_NAME,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_by_kind_in_namespace",
        "List every resource of a kind in one namespace.",
        ("kind", "namespace"),
        kind=_KIND,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_by_kind_in_cluster",
        "List every resource of a kind in all namespaces.",
        ("kind",),
        kind=_KIND,
    ),
    _spec(
        "kubectl_find_resource",
        "Find resources of a kind whose listing line contains a keyword, across all namespaces.",
        ("kind", "keyword"),
        kind=_KIND,
        keyword={"type": "string", "description": "Text to look for (a name or part of one)"},
    ),
    _spec(
        "kubectl_events",
        "Events about one resource.",
        ("resource_type", "pod_name", "namespace"),
        resource_type=_KIND,
        pod_name={"type": "string", "description": "Name of the resource (a pod or any other kind)"},
        namespace=_NAMESPACE,
    ),
    _pod_logs("kubectl_logs", "Logs of the pod's current container."),
    _pod_logs("kubectl_previous_logs", "Logs of the pod's previous (crashed or restarted) container."),
    _pod_logs("kubectl_logs_all_containers", "Logs of every container of the pod."),
    _pod_logs("kubectl_previous_logs_all_containers", "Previous logs of every container of the pod."),
    _container_logs("kubectl_container_logs", "Logs of one container of the pod."),
    _container_logs("kubectl_container_previous_logs", "Previous logs of one container of the pod."),
    _spec(
        "fetch_pod_logs",
        "Pod logs from the log store, optionally filtered and limited to a time range.",
        ("pod_name", "namespace"),
        pod_name=_POD,
        namespace=_NAMESPACE,
        start_time={"type": "string", "description": "RFC 3339 start time, or negative seconds relative to now"},
        end_time={"type": "string", "description": "RFC 3339 end time"},
        filter={"type": "string", "description": "Only lines containing this text"},
        limit={"type": "integer", "description": "Maximum number of lines"},
    ),
    _lineage("kubectl_lineage_children", "The objects a resource owns or selects (ReplicaSets, Pods, Services)."),
    _lineage("kubectl_lineage_parents", "The objects that own or select a resource."),
    _spec("kubectl_top_pods", "CPU and memory use of every pod."),
    _spec("kubectl_top_nodes", "CPU and memory use of every node."),
    _spec("kubectl_memory_requests_all_namespaces", "Memory requests and limits of every pod in the cluster."),
    _spec(
        "kubectl_memory_requests_namespace",
        "Memory requests and limits of every pod in a namespace.",
        ("namespace",),
        namespace=_NAMESPACE,
    ),
    _spec(
        "fetch_finding_by_id",
        "A finding (alert or issue) recorded by the monitoring pipeline, by id.",
        ("id",),
        id={"type": "string", "description": "The finding's id"},
    ),
    _spec(
        "fetch_configuration_changes_metadata",
        "Recent configuration changes and deploys in the cluster.",
        start_datetime={"type": "string", "description": "RFC 3339 start time"},
        end_datetime={"type": "string", "description": "RFC 3339 end time"},
    ),
    _spec(
        "fetch_tempo_traces",
        "Recent slow traces from Tempo.",
        min_duration={"type": "string", "description": "Minimum trace duration, e.g. 500ms or 2s"},
        service_name={"type": "string", "description": "Only traces of this service"},
        start_datetime={"type": "string", "description": "RFC 3339 start time"},
        end_datetime={"type": "string", "description": "RFC 3339 end time"},
    ),
    _spec(
        "fetch_tempo_trace_by_id",
        "One whole trace with its spans.",
        ("trace_id",),
        trace_id={"type": "string", "description": "The trace id"},
    ),
    _spec(
        "execute_prometheus_range_query",
        "A PromQL range query.",
        ("query",),
        query={"type": "string", "description": "The PromQL expression"},
        description={"type": "string", "description": "What the query shows, in a few words"},
        start={"type": "string", "description": "RFC 3339 start time"},
        end={"type": "string", "description": "RFC 3339 end time"},
        step={"type": "string", "description": "Resolution step, e.g. 1m"},
    ),
    _spec(
        "list_available_metrics",
        "Prometheus metric names, optionally filtered.",
        name_filter={"type": "string", "description": "Regex the metric names must match"},
        type_filter={"type": "string", "description": "Metric type: counter, gauge, histogram, summary"},
    ),
    _spec("list_prometheus_rules", "The Prometheus alerting and recording rules."),
)
READ_ONLY_TOOL_NAMES = frozenset(spec["function"]["name"] for spec in READ_ONLY_TOOL_SPECS)
# Fetching an arbitrary URL the model chose is a way out for data (an injected prompt can put the incident's
# details in a query string), so it is offered only when the caller opts in.
FETCH_WEBPAGE_SPEC: ToolSpec = _spec(
    "fetch_webpage",
    "Fetch a web page (a runbook or documentation) as text.",
    ("url",),
    url={"type": "string", "description": "The page's URL"},
)


def tool_name(spec: ToolSpec) -> str:
    return str(spec["function"]["name"])


def specs_for(available: Iterable[str], specs: Sequence[ToolSpec] = READ_ONLY_TOOL_SPECS) -> list[ToolSpec]:
    """The specs of the tools the runner actually serves, in spec order."""
    served = set(available)
    return [spec for spec in specs if tool_name(spec) in served]

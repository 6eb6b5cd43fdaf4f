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


# HolmesGPT's logging toolsets' parameters (holmes/plugins/toolsets/logging_utils/logging_api.py), as the
# Kubernetes runner serves them (regex filters and exclusion) and Loki and CloudWatch Logs do too.
_LOG_FILTER = """An optional filter for logs - can be a simple keyword/phrase or a regex pattern (case-insensitive).
Examples of useful filters:
- For errors: filter='err|error|fatal|critical|fail|exception|panic|crash'
- For warnings: filter='warn|warning|caution'
- For specific HTTP errors: filter='5[0-9]{2}|404|403'
- For Java exceptions: filter='Exception|Error|Throwable|StackTrace'
- For timeouts: filter='timeout|timed out|deadline exceeded'
If you get no results with a filter, try a broader pattern or drop the filter."""
_LOG_EXCLUDE = """An optional exclusion filter - logs matching this pattern will be excluded. \
Can be a simple keyword or regex pattern (case-insensitive).
Examples of useful exclude filters:
- Exclude HTTP 200s: exclude_filter='GET.*200|POST.*200'
- Exclude health/metrics: exclude_filter='health|metrics|ping|heartbeat'
- Exclude specific log levels: exclude_filter='"level": "INFO"'
If you hit the log limit and see lots of repetitive INFO logs, use exclude_filter to remove the noise and focus on \
what matters."""
FETCH_POD_LOGS_SPEC: ToolSpec = _spec(
    "fetch_pod_logs",
    "Fetch logs for a Kubernetes pod with support for regex filtering and exclusion patterns. "
    "Defaults: Fetches last 7 days of logs, limited to 100 most recent entries",
    ("pod_name", "namespace"),
    pod_name={"type": "string", "description": "The exact kubernetes pod name"},
    namespace=_NAMESPACE,
    start_time={
        "type": "string",
        "description": "Start time for logs. Can be an RFC3339 formatted datetime (e.g. '2023-03-01T10:30:00Z') for "
        "absolute time or a negative string number (e.g. -3600) for relative seconds before end_time. "
        "Default: -604800 (last 7 days)",
    },
    end_time={
        "type": "string",
        "description": "End time for logs. Must be an RFC3339 formatted datetime (e.g. '2023-03-01T12:30:00Z'). "
        "If not specified, defaults to current time.",
    },
    limit={"type": "integer", "description": "Maximum number of logs to return. Default: 100"},
    filter={"type": "string", "description": _LOG_FILTER},
    exclude_filter={"type": "string", "description": _LOG_EXCLUDE},
)

# Every tool here only reads. Write tools (delete, scale, rollout, exec, apply) are never offered: actions are
# proposals that go through the policy engine and a human approval, not the model. Descriptions are HolmesGPT's
# (holmes/plugins/toolsets/kubernetes.yaml, datetime.py), so a model behaves as it does with HolmesGPT.
READ_ONLY_TOOL_SPECS: tuple[ToolSpec, ...] = (
    _spec(
        "kubectl_describe",
        "Run kubectl describe <kind> <name> -n <namespace>, call this when users ask for description, for example "
        "when a user asks - 'describe pod xyz-123' - 'show service xyz-123 in namespace my-ns'",
        ("kind", "name"),
        kind=_KIND,
        name=_NAME,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_by_name",
        "Run `kubectl get <kind> <name> --show-labels`",
        ("kind", "name"),
        kind=_KIND,
        name=_NAME,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_yaml",
        "Run `kubectl get -o yaml` on a single Kubernetes resource",
        ("kind", "name"),
        kind=_KIND,
        name=_NAME,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_by_kind_in_namespace",
        "Run `kubectl get <kind> -n <namespace> --show-labels` to get all resources of a given type in namespace",
        ("kind", "namespace"),
        kind=_KIND,
        namespace=_NAMESPACE,
    ),
    _spec(
        "kubectl_get_by_kind_in_cluster",
        "Run `kubectl get -A <kind> --show-labels` to get all resources of a given type in the cluster",
        ("kind",),
        kind=_KIND,
    ),
    _spec(
        "kubectl_find_resource",
        "Run `kubectl get <kind> -A --show-labels | grep <keyword>` to find a resource where you know a substring of "
        "the name, IP, namespace, or labels",
        ("kind", "keyword"),
        kind={
            "type": "string",
            "description": "Kubernetes resource kind, e.g. pod or deployment; `all` for every workload kind",
        },
        keyword={"type": "string", "description": "Text the resource's line holds: part of its name, an IP, a label"},
    ),
    _spec(
        "kubectl_events",
        "Retrieve the events for a specific Kubernetes resource. `resource_type` can be any kubernetes resource type: "
        "'pod', 'service', 'deployment', 'job', 'node', etc.",
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
    FETCH_POD_LOGS_SPEC,
    _spec(
        "get_current_time",
        "Return current time information. Useful to build queries that require a time information",
    ),
    _lineage(
        "kubectl_lineage_children",
        "Get all children/dependents of a Kubernetes resource, recursively, including their status",
    ),
    _lineage(
        "kubectl_lineage_parents",
        "Get all parents/dependencies of a Kubernetes resource, recursively, including their status",
    ),
    _spec("kubectl_top_pods", "Retrieves real-time CPU and memory usage for each pod in the cluster."),
    _spec("kubectl_top_nodes", "Retrieves real-time CPU and memory usage for each node in the cluster."),
    _spec(
        "kubectl_memory_requests_all_namespaces",
        "Fetch and display memory requests for all pods across all namespaces in MiB, summing requests across "
        "multiple containers where applicable and handling binary, decimal, and millibyte units correctly.",
    ),
    _spec(
        "kubectl_memory_requests_namespace",
        "Fetch and display memory requests for all pods in a specified namespace in MiB, summing requests across "
        "multiple containers where applicable and handling binary, decimal, and millibyte units correctly.",
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

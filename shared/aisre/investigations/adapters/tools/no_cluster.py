"""The ToolRunner when no cluster is configured: every Kubernetes tool answers "unavailable", so a
diagnosis says what it could not gather instead of failing. `fetch_pod_logs` is among them: where a log store
(Loki, CloudWatch Logs) is configured, it comes before this runner and answers instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.investigations.model.evidence import ToolResult

KUBERNETES_TOOLS = frozenset(
    {
        "kubectl_describe",
        "kubectl_logs",
        "kubectl_previous_logs",
        "kubectl_logs_all_containers",
        "kubectl_previous_logs_all_containers",
        "kubectl_get_by_name",
        "kubectl_get_by_kind_in_namespace",
        "kubectl_get_by_kind_in_cluster",
        "kubectl_find_resource",
        "kubectl_events",
        "kubectl_lineage_children",
        "fetch_pod_logs",
    }
)


class NoClusterToolRunner:
    def available_tools(self) -> frozenset[str]:
        return KUBERNETES_TOOLS

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        return ToolResult(
            tool=tool,
            params=dict(params),
            status="unavailable",
            error="no Kubernetes cluster configured (set KUBECONFIG, or run in-cluster)",
        )

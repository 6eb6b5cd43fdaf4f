"""A live ToolRunner over the Kubernetes API: kubectl-style answers from GET and LIST calls only.

Read-only by construction: the runner calls `read_*` and `list_*` client methods (and the log endpoint) and
nothing else; there is no create, patch, delete, exec, port-forward or watch anywhere in it. Remediation goes
through the policy engine and an approval, never through these tools. Secrets are not readable here at all.
Failures (no cluster configured, unreachable API, 403/404) are results with a status and kubectl's error text;
`run` never raises.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aisre.investigations.adapters.kubernetes.connect import KubernetesTarget, connect
from aisre.investigations.adapters.kubernetes.pod_logs import fetch_pod_logs
from aisre.investigations.adapters.kubernetes.reads import KubernetesReads, ToolOutcome, api_error_text
from aisre.investigations.model.evidence import LOG_TOOLS, ToolResult

DEFAULT_BUDGET = 20_000
DEFAULT_LOG_LINES = 500
# After a connection failure the next calls answer "unavailable" at once for a while, rather than each waiting
# out its own timeout: an investigation makes a dozen calls.
UNREACHABLE_COOLDOWN_SECONDS = 30.0

Handler = Callable[[KubernetesReads, Mapping[str, Any]], str]


def _pod(p: Mapping[str, Any]) -> str:
    return str(p.get("pod_name") or p.get("pod") or p.get("name") or "")


def _container(p: Mapping[str, Any]) -> str | None:
    return p.get("container_name") or p.get("container") or None


def _ns(p: Mapping[str, Any]) -> str:
    return str(p.get("namespace") or "default")


_TOOLS: dict[str, Handler] = {
    "kubectl_describe": lambda r, p: r.describe(p["kind"], p["name"], p.get("namespace")),
    "kubectl_get_by_name": lambda r, p: r.get_by_name(p["kind"], p["name"], p.get("namespace")),
    "kubectl_get_by_kind_in_namespace": lambda r, p: r.get_in_namespace(p["kind"], _ns(p)),
    "kubectl_get_by_kind_in_cluster": lambda r, p: r.get_in_cluster(p["kind"]),
    "kubectl_find_resource": lambda r, p: r.find(p["kind"], str(p["keyword"])),
    "kubectl_events": lambda r, p: r.events(
        p.get("resource_type") or p.get("kind"),
        p.get("pod_name") or p.get("resource_name") or p.get("name"),
        p.get("namespace"),
    ),
    "kubectl_logs": lambda r, p: r.logs(_pod(p), _ns(p), _container(p), previous=False),
    "kubectl_previous_logs": lambda r, p: r.logs(_pod(p), _ns(p), _container(p), previous=True),
    "kubectl_container_logs": lambda r, p: r.logs(_pod(p), _ns(p), _container(p), previous=False),
    "kubectl_container_previous_logs": lambda r, p: r.logs(_pod(p), _ns(p), _container(p), previous=True),
    "kubectl_logs_all_containers": lambda r, p: r.logs_all_containers(_pod(p), _ns(p), previous=False),
    "kubectl_previous_logs_all_containers": lambda r, p: r.logs_all_containers(_pod(p), _ns(p), previous=True),
    "kubectl_top_pods": lambda r, p: r.top_pods(p.get("namespace")),
    "kubectl_top_nodes": lambda r, p: r.top_nodes(),
    "kubectl_memory_requests_namespace": lambda r, p: r.memory_requests(_ns(p)),
    "kubectl_memory_requests_all_namespaces": lambda r, p: r.memory_requests(None),
    "kubectl_lineage_children": lambda r, p: r.lineage_children(p["kind"], p["name"], p.get("namespace")),
    # HolmesGPT's kubernetes/logs toolset; a configured log store (Loki, CloudWatch Logs) serves it instead.
    "fetch_pod_logs": lambda r, p: fetch_pod_logs(r, p, r.now()),
}


def truncate(text: str, budget: int, keep_end: bool = False) -> str:
    """At most `budget` characters of text plus one line saying how much was cut. Logs keep their end (the
    latest lines, where a crash is), everything else its beginning; the cut falls on a line boundary."""
    if len(text) <= budget:
        return text
    if keep_end:
        kept = text[-budget:]
        kept = kept.split("\n", 1)[1] if "\n" in kept[:-1] else kept
        return f"[truncated: the first {len(text) - len(kept):,} of {len(text):,} characters cut]\n{kept}"
    kept = text[:budget]
    kept = kept.rsplit("\n", 1)[0] if "\n" in kept else kept
    return f"{kept}\n[truncated: the last {len(text) - len(kept):,} of {len(text):,} characters cut]"


class KubernetesToolRunner:
    """Serves the kubectl_* tools against one cluster. Connects on first use; never raises from `run`."""

    def __init__(
        self,
        target: KubernetesTarget,
        budget: int = DEFAULT_BUDGET,
        log_lines: int = DEFAULT_LOG_LINES,
        timeout: tuple[float, float] = (5.0, 30.0),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.target = target
        self.budget = budget
        self.log_lines = log_lines
        self.timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._reads: KubernetesReads | None = None
        self._down_until = 0.0
        self._down_reason = ""

    def available_tools(self) -> frozenset[str]:
        return frozenset(_TOOLS)

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        params = dict(params)
        handler = _TOOLS.get(tool)
        if handler is None:
            return ToolResult(tool, params, "unavailable", error=f"tool {tool} is not available")
        try:
            reads = self._connected()
            text = handler(reads, params)
        except ToolOutcome as outcome:
            if outcome.status == "no_data":  # an answer, not a failure: it says what was looked for
                return ToolResult(tool, params, "no_data", text=outcome.message)
            return ToolResult(tool, params, outcome.status, error=outcome.message)
        except KeyError as missing:
            return ToolResult(tool, params, "error", error=f"missing parameter {missing.args[0]!r} for {tool}")
        except Exception as error:
            return self._failure(tool, params, error)
        return ToolResult(tool, params, "success", text=truncate(text, self.budget, keep_end=tool in LOG_TOOLS))

    def _connected(self) -> KubernetesReads:
        if not self.target.configured:
            raise ToolOutcome("unavailable", "no Kubernetes cluster configured")
        if time.monotonic() < self._down_until:
            raise ToolOutcome("unavailable", self._down_reason)
        with self._lock:
            if self._reads is None:
                try:
                    api_client = connect(self.target)
                except Exception as error:  # a missing kubeconfig, an unknown context, no EKS access
                    message = f"cannot configure Kubernetes access from {self.target.label}: {error}"
                    raise ToolOutcome("unavailable", message) from error
                self._reads = KubernetesReads(api_client, self._clock, self.log_lines, self.timeout)
            return self._reads

    def _failure(self, tool: str, params: dict[str, Any], error: Exception) -> ToolResult:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        if isinstance(error, ApiException) and error.status:
            return ToolResult(tool, params, "error", error=api_error_text(error))
        if isinstance(error, HTTPError | OSError | ApiException):
            # The API did not answer at all: the cluster is unavailable, not the object missing.
            self._down_reason = f"cannot reach the Kubernetes API ({self.target.label}): {_short(error)}"
            self._down_until = time.monotonic() + UNREACHABLE_COOLDOWN_SECONDS
            return ToolResult(tool, params, "unavailable", error=self._down_reason)
        return ToolResult(tool, params, "error", error=f"{type(error).__name__}: {_short(error)}")


def _short(error: BaseException, limit: int = 400) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[:limit] + " ..."

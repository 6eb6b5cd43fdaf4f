"""A read: one tool call to make, with where it sits in the chain of hops that led to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# Each available log tool shows something the others may not (current vs previous container, all containers).
CURRENT_LOG_TOOLS = ("fetch_pod_logs", "kubectl_logs", "kubectl_logs_all_containers")
PREVIOUS_LOG_TOOLS = ("kubectl_previous_logs", "kubectl_previous_logs_all_containers")

# "up": following owners (a pod's ReplicaSet, its Deployment), never back down to their other children;
# "down": a controller's children, never back up; "": the subject itself, or an object beside the chain
# (a claim, a node, a ConfigMap).
Direction = Literal["", "up", "down"]


@dataclass(frozen=True)
class Want:
    """What to pick out of a listing's rows: the pods of an owner (by label selector when the listing shows labels,
    else by name), a CronJob's jobs, the nodes a pending pod could go to, the slowest traces."""

    what: Literal["pods", "jobs", "nodes", "traces", "services"]
    pattern: str = ""  # a regex the whole name matches
    selector: tuple[tuple[str, str], ...] = ()
    limit: int = 3
    prefer: tuple[str, ...] = ()  # names to take first (the pods a controller's events say it created)
    # What to read instead when nothing in the listing matched (a Job's lineage when its pods aged out of it).
    fallback: tuple[Read, ...] = ()
    # The namespace the rows must be in, for a listing of every namespace (`kubectl_find_resource`).
    namespace: str = ""
    # Cluster IPs a row may have instead of a name matching `pattern` (the Services a log line dialled).
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Read:
    tool: str
    params: tuple[tuple[str, Any], ...]
    depth: int = 0
    direction: Direction = ""
    want: Want | None = None
    # The pending pod this read serves, when it does (its claims' volumes, the nodes it could go to).
    pending_pod: str = ""
    # Read aside from the subject (a dependency its logs name, the cluster's DNS): its answer and every read it
    # leads to are tagged so, and rules about the subject leave them out.
    aside: str = ""

    @property
    def key(self) -> str:
        """Two reads with the same tool and parameters are one call."""
        return f"{self.tool}:{sorted(self.params)}"

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.params)

    def param(self, name: str) -> str:
        return str(self.arguments.get(name) or "")

    @property
    def label(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.params if v not in (None, ""))
        return f"{self.tool}({shown})"

    def interpretation(self) -> tuple[str, Want | None, Direction, str, str]:
        """What makes two reads of one answer lead to different next reads."""
        return self.key, self.want, self.direction, self.pending_pod, self.aside


def read(tool: str, params: Mapping[str, Any], depth: int = 0, direction: Direction = "", **extra: Any) -> Read:
    """A read of `tool` with `params` in the order given (None values left out)."""
    kept = tuple((k, v) for k, v in params.items() if v is not None)
    return Read(tool, kept, depth, direction, **extra)


def describe(kind: str, name: str, namespace: str | None, depth: int, direction: Direction = "", **extra: Any) -> Read:
    return read("kubectl_describe", {"kind": kind, "name": name, "namespace": namespace}, depth, direction, **extra)


def events(kind: str, name: str, namespace: str | None, depth: int, direction: Direction = "") -> Read:
    # HolmesGPT names the object's name parameter `pod_name` whatever its kind.
    params = {"resource_type": kind, "pod_name": name, "namespace": namespace}
    return read("kubectl_events", params, depth, direction)


def visit_pod(name: str, namespace: str, depth: int, direction: Direction = "") -> list[Read]:
    """A pod's own reads: its describe (which leads on to its logs, owner, claims and nodes), its events, and its
    lineage (what selects it: Services, NetworkPolicies, which describe does not show)."""
    return [
        describe("pod", name, namespace, depth, direction),
        events("pod", name, namespace, depth, direction),
        read("kubectl_lineage_children", {"kind": "pod", "name": name, "namespace": namespace}, depth, direction),
    ]


def pod_logs(name: str, namespace: str, depth: int, previous: bool) -> list[Read]:
    tools = CURRENT_LOG_TOOLS + (PREVIOUS_LOG_TOOLS if previous else ())
    # fetch_pod_logs first, then the kubectl ones in HolmesGPT's order: the cheapest complete picture first.
    ordered = sorted(tools, key=("fetch_pod_logs", *_KUBECTL_LOG_ORDER).index)
    return [read(tool, {"pod_name": name, "namespace": namespace}, depth) for tool in ordered]


_KUBECTL_LOG_ORDER = (
    "kubectl_logs",
    "kubectl_previous_logs",
    "kubectl_logs_all_containers",
    "kubectl_previous_logs_all_containers",
)

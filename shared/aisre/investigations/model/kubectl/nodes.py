"""A node as `kubectl describe node` and `kubectl get nodes --show-labels` show it: labels, taints, what it can
allocate and what its pods already requested."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aisre.investigations.model.kubectl.labels import Taint, parse_labels, parse_taints
from aisre.investigations.model.kubectl.quantity import parse_quantity
from aisre.investigations.model.kubectl.text import NONE_VALUES, key_values, section, table, value_of, values_of

# An "Allocated resources" row: "  cpu   1850m (92%)   2 (100%)" (resource, requests, limits).
_ALLOCATED = re.compile(r"^\s*([\w./-]+)\s+(\S+)((?:\s+\(\d+%\))?)\s+(\S+(?:\s+\(\d+%\))?)")


@dataclass
class NodeFacts:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    allocatable: dict[str, float] = field(default_factory=dict)
    allocated: dict[str, float] = field(default_factory=dict)  # the requests of the pods already on it
    allocatable_text: dict[str, str] = field(default_factory=dict)
    allocated_text: dict[str, str] = field(default_factory=dict)
    ready: bool | None = None
    unschedulable: bool = False

    def free(self, resource: str) -> float | None:
        """Allocatable minus what is already requested; None when the node's allocations were not read."""
        if resource not in self.allocatable and self.allocatable:
            return 0.0  # a resource the node does not offer at all (no GPU on it)
        if resource not in self.allocatable or resource not in self.allocated:
            return None
        return self.allocatable[resource] - self.allocated[resource]

    def merge(self, other: NodeFacts) -> None:
        """Fill what this reading lacks from another reading of the same node (a listing's labels)."""
        self.labels = self.labels or other.labels
        self.taints = self.taints or other.taints
        self.allocatable = self.allocatable or other.allocatable
        self.allocatable_text = self.allocatable_text or other.allocatable_text
        self.allocated = self.allocated or other.allocated
        self.allocated_text = self.allocated_text or other.allocated_text
        self.ready = self.ready if self.ready is not None else other.ready
        self.unschedulable = self.unschedulable or other.unschedulable


def parse_node(text: str, name: str = "") -> NodeFacts:
    node = NodeFacts(name=value_of(text, "Name") or name)
    node.labels = parse_labels(values_of(text, "Labels"))
    node.taints = parse_taints(values_of(text, "Taints"))
    node.unschedulable = (value_of(text, "Unschedulable") or "").lower() == "true"
    allocatable = key_values(section(text, "Allocatable"))
    node.allocatable_text = allocatable
    node.allocatable = {k: q for k, v in allocatable.items() if (q := parse_quantity(v)) is not None}
    for line in section(text, "Allocated resources"):
        match = _ALLOCATED.match(line)
        if match and match.group(1) not in ("Resource", "--------") and not line.strip().startswith("("):
            requested = parse_quantity(match.group(2))
            if requested is not None:
                node.allocated[match.group(1)] = requested
                resource, share, limits = match.group(1), match.group(3).strip(), match.group(4)
                node.allocated_text[resource] = (
                    f"{resource} requests {match.group(2)} {share}".rstrip() + f", limits {limits}"
                )
    ready = [line for line in section(text, "Conditions") if line.strip().startswith("Ready ")]
    if ready:
        node.ready = ready[0].split()[1] == "True"
    return node


def parse_node_listing(text: str) -> list[NodeFacts]:
    """`kubectl get nodes -o wide --show-labels`: names, readiness and (when shown) labels."""
    nodes = []
    for row in table(text):
        name = row.get("NAME", "")
        if not name:
            continue
        status = row.get("STATUS", "")
        labels = row.get("LABELS", "")
        nodes.append(
            NodeFacts(
                name=name,
                labels=parse_labels([labels]) if labels not in NONE_VALUES else {},
                ready=status.split(",")[0] == "Ready" if status else None,
                unschedulable="SchedulingDisabled" in status,
            )
        )
    return nodes

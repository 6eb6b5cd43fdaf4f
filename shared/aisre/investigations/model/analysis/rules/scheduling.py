"""Pods that cannot be placed or kept on nodes: FailedScheduling, node pod capacity, node pressure and evictions."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.text import find, quotes
from aisre.investigations.model.evidence import Evidence

_GPU = re.compile(r"gpu", re.IGNORECASE)
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Insufficient ([\w./-]+?)\.?(?=[\s,]|$)", re.I), "insufficient {0}: no node has enough free {0}"),
    (re.compile(r"untolerated taint[s]? ?(\{[^}]*\})?", re.I), "the nodes carry taints the pod does not tolerate {0}"),
    (
        re.compile(r"didn't match Pod's node affinity/selector|node\(s\) didn't match", re.I),
        "no node matches the pod's nodeSelector / node affinity",
    ),
    (
        re.compile(r"unbound immediate PersistentVolumeClaims|pod has unbound", re.I),
        "the pod's PersistentVolumeClaim is not bound to a volume",
    ),
    (
        re.compile(r'storageclass(?:\.storage\.k8s\.io)? "([^"]+)" not found', re.I),
        "the StorageClass `{0}` does not exist",
    ),
    (re.compile(r"Too many pods", re.I), "the nodes are at their maximum number of pods"),
    (re.compile(r"didn't have free ports", re.I), "the requested host port is taken on every node"),
    (re.compile(r"volume node affinity conflict", re.I), "the pod's volume is in a zone with no suitable node"),
)

# What to do about each reason (keyed by a word of the reason's text above).
_TIPS = (
    ("insufficient", "Free or add capacity (scale the node group / cluster autoscaler), or lower the pod's requests"),
    ("taints", "Add a toleration for the taint to the pod, or schedule it on untainted nodes"),
    ("nodeSelector", "Fix the nodeSelector / node affinity to labels the nodes carry, or label a node to match"),
    ("PersistentVolumeClaim", "Read the claim (kubectl describe pvc): its StorageClass, provisioner and events"),
    ("StorageClass", "Point the claim at an existing StorageClass, or create the missing one"),
    ("maximum number of pods", "Add nodes, or raise the kubelet's max-pods where the node's IPs allow it"),
    ("host port", "Drop the hostPort, or run fewer replicas than nodes"),
    ("zone", "Schedule the pod in the volume's zone (node affinity), or recreate the volume where nodes are"),
)


def failed_scheduling(evidence: Evidence) -> Finding | None:
    hits = find(evidence.focused(), r"FailedScheduling|nodes are available|Insufficient [\w./-]+")
    if not hits:
        return None
    reasons: list[str] = []
    for hit in hits:
        for pattern, template in _REASONS:
            for match in pattern.finditer(hit.line):
                arg = next((g for g in match.groups() if g), "")
                reason = template.format(arg).strip()
                if _GPU.search(arg):
                    reason += " (GPU)"
                if reason not in reasons:
                    reasons.append(reason)
    if not reasons and not any("FailedScheduling" in h.line for h in hits):
        return None
    why = "; ".join(reasons) if reasons else "the scheduler found no suitable node"
    tips = [tip for key, tip in _TIPS if any(key in reason for reason in reasons)] or [_TIPS[0][1]]
    if any(_GPU.search(r) for r in reasons):
        tips.insert(0, "Add GPU nodes (with the device plugin) or reduce the nvidia.com/gpu requested per pod")
    informative = sorted(
        hits,
        key=lambda h: (
            h.result.tool.startswith("fetch_"),
            "nodes are available" not in h.line,
            "FailedScheduling" not in h.line,
        ),
    )
    return Finding(
        rule="failed_scheduling",
        root_cause=f"The pod cannot be scheduled (Pending, FailedScheduling): {why}.",
        evidence_lines=quotes(informative, 4),
        confidence=0.92,
        suggestions=tuple(tips),
    )


_POD_CAPACITY = re.compile(r"^\s*pods:\s+(\d+)\s*$")
_RUNNING_PODS = re.compile(r"Non-terminated Pods:\s+\((\d+) in total\)")


def node_pod_capacity(evidence: Evidence) -> Finding | None:
    """A node running as many pods as it may hold (`Allocatable: pods`): new pods cannot land there."""
    for result in evidence.describes("node"):
        capacity = [int(m.group(1)) for line in result.text.splitlines() if (m := _POD_CAPACITY.match(line))]
        running = _RUNNING_PODS.search(result.text)
        if not capacity or not running:
            continue
        allowed, count = capacity[-1], int(running.group(1))
        if count < allowed * 0.95:
            continue
        node = result.params.get("name", "the node")
        return Finding(
            rule="node_pod_capacity",
            root_cause=(
                f"Node `{node}` is running too many pods: {count} pods against a maximum of {allowed} "
                "allocatable pods, i.e. it is at its pod capacity, so more pods cannot be scheduled on it."
            ),
            evidence_lines=(f"Allocatable: pods: {allowed}", f"Non-terminated Pods: ({count} in total)"),
            confidence=0.9,
            suggestions=(
                "Spread the pods over more nodes (add nodes, or topology spread constraints)",
                "Raise the kubelet's max-pods (on EKS it is bound by the instance type's ENI/IP limits)",
            ),
        )
    return None


_PRESSURE = re.compile(r"^\s*(MemoryPressure|DiskPressure|PIDPressure)\s+True\b")
_EVICTED = re.compile(r"\bEvicted\b|The node was low on resource: \[?(\w[\w-]*)", re.IGNORECASE)


def node_pressure(evidence: Evidence) -> Finding | None:
    pressure = find(evidence.describes("node"), _PRESSURE)
    evicted = find(evidence.focused(), _EVICTED)
    if not pressure and not evicted:
        return None
    kinds = [h.match.group(1) for h in pressure]
    resource = next((h.match.group(1) for h in evicted if h.match.group(1)), None)
    if kinds:
        cause = f"The node is under {', '.join(kinds)}, so the kubelet evicts pods to reclaim resources."
    else:
        cause = f"Pods were evicted because the node ran low on {resource or 'a resource'} (node pressure eviction)."
    return Finding(
        rule="node_pressure",
        root_cause=cause,
        evidence_lines=quotes([*pressure, *evicted]),
        confidence=0.8,
        suggestions=(
            "Find the pods using the most memory/disk on that node and set requests/limits to match",
            "Clean up images and logs filling the node's disk, or give nodes larger disks",
        ),
    )

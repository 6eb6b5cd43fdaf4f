"""Why a pending pod fits no node, from the pod and the nodes read beside it: its requests against each node's
allocatable minus allocated, its node selector and required affinity against the nodes' labels, the taints it
does not tolerate. Each finding cites the scheduler's event, the pod's line and each node's line."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.objects import PENDING_EVENT, cite, described, nodes, pending_pods
from aisre.investigations.model.analysis.text import quote
from aisre.investigations.model.evidence import Evidence
from aisre.investigations.model.gathering.leads import answered
from aisre.investigations.model.kubectl.affinity import Term, required_terms
from aisre.investigations.model.kubectl.labels import Taint
from aisre.investigations.model.kubectl.nodes import NodeFacts
from aisre.investigations.model.kubectl.pods import PodFacts
from aisre.investigations.model.kubectl.quantity import show

_INSUFFICIENT = re.compile(r"Insufficient ([\w./-]+?)\.?(?=[\s,]|$)")
_AFFINITY_EVENT = re.compile(r"didn't match (?:Pod's )?node (?:affinity|selector)", re.IGNORECASE)
_TAINT_EVENT = re.compile(r"taint", re.IGNORECASE)
# What Kubernetes' own taints mean (well-known keys, set by the node lifecycle controller or kubeadm).
_TAINT_MEANING = {
    "node.kubernetes.io/not-ready": "the node is NotReady",
    "node.kubernetes.io/unreachable": "the node is unreachable",
    "node.kubernetes.io/unschedulable": "the node is cordoned",
    "node.kubernetes.io/disk-pressure": "the node is under disk pressure",
    "node.kubernetes.io/memory-pressure": "the node is under memory pressure",
    "node.kubernetes.io/pid-pressure": "the node is under PID pressure",
    "node-role.kubernetes.io/control-plane": "a control-plane node",
    "node-role.kubernetes.io/master": "a control-plane node",
}
_MAX_NODES_SHOWN = 4


def _scheduler_event(pod: PodFacts) -> str | None:
    return next((e for e in pod.events if PENDING_EVENT in e or "nodes are available" in e), None)


def _pod_name(pod: PodFacts) -> str:
    return f"`{pod.name}`" + (f" (namespace `{pod.namespace}`)" if pod.namespace else "")


def insufficient_resources(evidence: Evidence) -> Finding | None:
    """The scheduler says a resource is insufficient: the pod's request against every node's free amount."""
    known = [node for node in nodes(evidence).values() if node.allocatable]
    for pod in pending_pods(evidence) if known else []:
        event = _scheduler_event(pod) or ""
        requests = pod.requests()
        wanted = {m.group(1): requests[m.group(1)] for m in _INSUFFICIENT.finditer(event) if requests.get(m.group(1))}
        if not wanted:
            continue
        lines = [quote(event)]
        lines += [
            cite("Pod", pod.name, f"Requests: {r}: {show(r, amount)}", pod.namespace) for r, amount in wanted.items()
        ]
        clauses = []
        for resource, amount in wanted.items():
            per_node = [_node_room(node, resource, lines) for node in known[:_MAX_NODES_SHOWN]]
            verdict = _verdict(known, resource, amount)
            clauses.append(f"it requests {show(resource, amount)} {resource}, {verdict}: " + "; ".join(per_node))
        biggest = max(wanted, key=lambda r: wanted[r])
        tips = [
            f"Lower the pod's {biggest} request so it fits a node's free {biggest}, or free room on a node",
            f"Add a node with more {biggest} (scale the node group / cluster autoscaler, a larger instance type)",
        ]
        if any("gpu" in resource for resource in wanted):
            tips.insert(0, "Add GPU nodes (with the device plugin) or lower the GPUs requested per pod")
        return Finding(
            rule="insufficient_resources",
            root_cause=f"Pod {_pod_name(pod)} stays Pending because no node has room for it: "
            + ". Also, ".join(clauses)
            + ".",
            evidence_lines=tuple(dict.fromkeys(lines)),
            confidence=0.95,
            suggestions=tuple(tips),
        )
    return None


def _verdict(known: list[NodeFacts], resource: str, amount: float) -> str:
    frees = [free for node in known if (free := node.free(resource)) is not None]
    if frees and all(free < amount for free in frees):
        return "more than any node has free"
    if all(node.allocatable.get(resource, 0.0) < amount for node in known):
        return "more than any node can allocate at all"
    return "and the scheduler found no node with that much free"


def _node_room(node: NodeFacts, resource: str, lines: list[str]) -> str:
    """One node's room for a resource in words, its describe lines appended to `lines`."""
    if resource not in node.allocatable:
        lines.append(cite("Node", node.name, f"Allocatable: no {resource}"))
        return f"node `{node.name}` offers no {resource} at all"
    allocatable = show(resource, node.allocatable[resource])
    lines.append(
        cite("Node", node.name, f"Allocatable: {resource}: {node.allocatable_text.get(resource, allocatable)}")
    )
    free = node.free(resource)
    if free is None:
        return f"node `{node.name}` has {allocatable} allocatable (what its pods already request was not read)"
    lines.append(cite("Node", node.name, f"Allocated resources: {node.allocated_text[resource]}"))
    used = show(resource, node.allocated[resource])
    return f"node `{node.name}` has {allocatable} allocatable, {used} already requested, {show(resource, free)} free"


def node_selector_mismatch(evidence: Evidence) -> Finding | None:
    """The pod's nodeSelector (or required node affinity) names labels no node carries."""
    labelled = [node for node in nodes(evidence).values() if node.labels]
    for pod in pending_pods(evidence) if labelled else []:
        unmet = {k: v for k, v in pod.node_selector.items() if not any(n.labels.get(k) == v for n in labelled)}
        terms = _unmet_affinity(evidence, pod, labelled)
        if not unmet and not terms:
            continue
        event = _scheduler_event(pod)
        lines = [quote(event)] if event else []
        clauses = []
        if unmet:
            lines.append(cite("Pod", pod.name, f"Node-Selectors: {pod.node_selector_line}", pod.namespace))
            for key, value in unmet.items():
                clauses.append(f"its nodeSelector `{key}={value}` matches no node ({_who_has(key, labelled, lines)})")
        for term in terms:
            shown = " and ".join(str(e) for e in term)
            lines.append(cite("Pod", pod.name, f"required node affinity: {shown}", pod.namespace))
            keys = {e.key for e in term}
            clauses.append(
                f"its required node affinity `{shown}` matches no node ({_who_has_any(keys, labelled, lines)})"
            )
        return Finding(
            rule="node_selector_mismatch",
            root_cause=f"Pod {_pod_name(pod)} stays Pending because of a node selector mismatch: "
            + "; ".join(clauses)
            + ".",
            evidence_lines=tuple(dict.fromkeys(lines)),
            confidence=0.95 if event is None or _AFFINITY_EVENT.search(event) else 0.85,
            suggestions=(
                "Fix the pod's nodeSelector / node affinity to labels the nodes carry, or label a node to match "
                "(kubectl label node <node> key=value)",
                "If the label belongs to a node group that does not exist yet, create that node group",
            ),
        )
    return None


def _who_has(key: str, labelled: list[NodeFacts], lines: list[str]) -> str:
    having = [n for n in labelled if key in n.labels]
    if not having:
        for node in labelled[:_MAX_NODES_SHOWN]:
            lines.append(cite("Node", node.name, f"Labels: {_labels_line(node)} (no `{key}`)"))
        return f"none of the {len(labelled)} nodes has a `{key}` label"
    for node in having[:_MAX_NODES_SHOWN]:
        lines.append(cite("Node", node.name, f"Labels: {key}={node.labels[key]}"))
    return ", ".join(f"node `{n.name}` has `{key}={n.labels[key]}`" for n in having[:_MAX_NODES_SHOWN])


def _who_has_any(keys: set[str], labelled: list[NodeFacts], lines: list[str]) -> str:
    parts = []
    for key in sorted(keys):
        parts.append(_who_has(key, labelled, lines))
    return "; ".join(parts)


def _labels_line(node: NodeFacts) -> str:
    return ",".join(f"{k}={v}" for k, v in node.labels.items())


def _unmet_affinity(evidence: Evidence, pod: PodFacts, labelled: list[NodeFacts]) -> list[Term]:
    """The required node affinity terms of the pod, when no node satisfies any of them."""
    for result in evidence.of("kubectl_get_yaml"):
        if result.params.get("name") == pod.name and str(result.params.get("kind", "")).lower() == "pod":
            terms = required_terms(result.text) if answered(result) else []
            if terms and not any(all(e.holds(n.labels) for e in term) for term in terms for n in labelled):
                return terms
    return []


def untolerated_taint(evidence: Evidence) -> Finding | None:
    """Nodes whose taints the pending pod does not tolerate, with what each taint means."""
    read = {item.name for item in described(evidence, "node")}
    known = [node for name, node in nodes(evidence).items() if name in read]
    for pod in pending_pods(evidence) if known else []:
        blocked: dict[str, list[Taint]] = {}
        for node in known:
            untolerated = [
                t for t in node.taints if t.blocks_scheduling and not any(tol.tolerates(t) for tol in pod.tolerations)
            ]
            if untolerated:
                blocked[node.name] = untolerated
        event = _scheduler_event(pod)
        said = event is not None and bool(_TAINT_EVENT.search(event))
        everywhere = len(blocked) == len(known)
        # Without the scheduler saying so, only a describe that shows the tolerations can rule them out.
        if not blocked or not (said or (everywhere and pod.tolerations_shown)):
            continue
        lines = [quote(event)] if event else []
        lines.append(cite("Pod", pod.name, f"Tolerations: {pod.tolerations_line or '<none>'}", pod.namespace))
        clauses = []
        for name, taints in list(blocked.items())[:_MAX_NODES_SHOWN]:
            lines.append(cite("Node", name, "Taints: " + ", ".join(str(t) for t in taints)))
            meanings = [f"`{t}`" + (f" ({_TAINT_MEANING[t.key]})" if t.key in _TAINT_MEANING else "") for t in taints]
            clauses.append(f"node `{name}` has {', '.join(meanings)}")
        scope = (
            "every node it could use carries a taint it does not tolerate"
            if everywhere
            else "some nodes carry taints it does not tolerate (the scheduler's event says why the others do not fit)"
        )
        return Finding(
            rule="untolerated_taint",
            root_cause=f"Pod {_pod_name(pod)} stays Pending because {scope}: " + "; ".join(clauses) + ".",
            evidence_lines=tuple(dict.fromkeys(lines)),
            confidence=(0.93 if said else 0.85) if everywhere else 0.7,
            suggestions=(
                "Add a matching toleration to the pod if it is meant to run on those nodes",
                "Otherwise remove the taint (kubectl taint node <node> key:Effect-) or add untainted nodes; "
                "a not-ready or unreachable taint means the node itself needs fixing",
            ),
        )
    return None

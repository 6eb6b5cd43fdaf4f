"""What each answer leads to: a pod's describe to its logs, owner, claims and (pending) the nodes; a claim to its
storage class or volume; a controller to its owner and its pods; a Service to its endpoints and pods; a listing
to the rows an earlier read wanted from it; a describe that failed to the object's events."""

from __future__ import annotations

import re

from aisre.investigations.model.evidence import ToolResult
from aisre.investigations.model.gathering.dependencies import dependency_reads
from aisre.investigations.model.gathering.reads import (
    CURRENT_LOG_TOOLS,
    PREVIOUS_LOG_TOOLS,
    Read,
    Want,
    describe,
    events,
    pod_logs,
    read,
    visit_pod,
)
from aisre.investigations.model.kubectl.kinds import WORKLOADS, canonical
from aisre.investigations.model.kubectl.labels import matches
from aisre.investigations.model.kubectl.nodes import parse_node_listing
from aisre.investigations.model.kubectl.pods import PodFacts, parse_pod, pod_rows
from aisre.investigations.model.kubectl.services import parse_service
from aisre.investigations.model.kubectl.storage import parse_claim
from aisre.investigations.model.kubectl.text import table, value_of
from aisre.investigations.model.kubectl.workloads import job_rows, parse_workload
from aisre.investigations.model.questions.targets import parse_rows

LOG_TOOLS = (*CURRENT_LOG_TOOLS, *PREVIOUS_LOG_TOOLS)
# Fan-out caps: the first few of each kind of child say what the rest would, and the tool-call bound is shared.
MAX_PODS = 3
MAX_NODES = 5
MAX_JOBS = 2
MAX_CLAIMS = 3
MAX_CONFIG_OBJECTS = 3
MAX_TRACES = 2
# No chain of hops is longer (CronJob -> Job -> pod -> claim -> volume); a guard, should kinds ever cycle.
MAX_DEPTH = 6

# A pod's name after its controller's: <deployment>-<replicaset hash>-<5 chars>, <statefulset>-<ordinal>, ...
POD_SUFFIX = {
    "deployment": r"[a-z0-9]{6,10}-[a-z0-9]{5}",
    "replicaset": r"[a-z0-9]{5}",
    "statefulset": r"\d+",
    "daemonset": r"[a-z0-9]{5}",
    "job": r"(?:\d+-)?[a-z0-9]{5}",  # an Indexed Job's pods carry their index
}
_REPLICASET_HASH = re.compile(r"-[a-z0-9]{6,10}$")
_LINEAGE_POD = re.compile(r"\bPod/([\w.-]+)")
_TRACE = re.compile(r"traceID=(\w+)\)\s*\(durationMs=(\d+)")
# The scheduler's per-node reasons: "2 Insufficient memory", "1 node(s) had untolerated taint", "Too many pods".
_PER_NODE = re.compile(r"Insufficient|node\(s\)|Too many pods", re.IGNORECASE)
_AFFINITY = re.compile(r"affinity|selector", re.IGNORECASE)
_NODE_TROUBLE = re.compile(
    r"\bEvicted\b|NodeNotReady|low on resource|TaintManagerEviction|node\.kubernetes\.io/(?:unreachable|not-ready)"
)
_CONFIG_TROUBLE = re.compile(
    r"CreateContainerConfigError|FailedMount|couldn't find key|(?:configmap|secret)s? \\?\"?[\w.-]+\\?\"? not found",
    re.IGNORECASE,
)
_UNANSWERED = ("Error from server", "not found", "No resources found")


def next_reads(done: Read, result: ToolResult) -> list[Read]:
    if done.depth >= MAX_DEPTH:
        return []
    if done.want is not None:
        return _from_listing(done, result)
    if done.tool == "kubectl_describe":
        return _from_describe(done, result)
    if done.tool in LOG_TOOLS and not done.aside and result.status == "success":
        return dependency_reads(done, result.text)
    return []


def answered(result: ToolResult) -> bool:
    """A describe or listing that holds the object, not kubectl's refusal printed as output."""
    head = result.text.lstrip()[:200]
    return result.status == "success" and bool(head) and not head.startswith(_UNANSWERED)


# -- describes -------------------------------------------------------------------------------------------------


def _from_describe(done: Read, result: ToolResult) -> list[Read]:
    kind, name, namespace = canonical(done.param("kind")), done.param("name"), done.param("namespace")
    depth = done.depth + 1
    named = value_of(result.text, "Name")
    if not answered(result) or (named is not None and named != name):
        return _unanswered(done, kind, name, namespace, depth)
    if kind == "pod":
        return _pod(done, parse_pod(result.text, name, namespace), depth)
    if kind == "persistentvolumeclaim":
        return _claim(done, result.text, depth)
    if kind == "service":
        return _service(done, result.text, depth)
    if kind in WORKLOADS:
        return _workload(done, kind, result.text, depth)
    return []


def _unanswered(done: Read, kind: str, name: str, namespace: str, depth: int) -> list[Read]:
    """The object's events say what its describe would have; a pod's logs and a controller's pods are still
    worth reading without it."""
    if kind == "pod":
        return pod_logs(name, namespace, depth, previous=True)  # its events are read with every pod
    reads = [events(kind, name, namespace or None, depth, done.direction)]
    if kind == "replicaset" and done.direction == "up" and (deployment := _REPLICASET_HASH.sub("", name)) != name:
        # Its owner is the Deployment it is named after (<deployment>-<pod-template-hash>): still worth a read.
        reads.append(describe("deployment", deployment, namespace, depth, "up"))
    if kind in WORKLOADS and kind != "cronjob" and done.direction != "up":
        reads.append(pods_of(kind, name, namespace, depth))
    if kind == "cronjob" and done.direction != "up":
        reads.append(jobs_of(name, namespace, depth))
    return reads


def _pod(done: Read, pod: PodFacts, depth: int) -> list[Read]:
    name, namespace = pod.name, pod.namespace or done.param("namespace")
    reads: list[Read] = []
    if not pod.unscheduled:  # a pod no node took has no container, so no log
        reads += pod_logs(name, namespace, depth, previous=pod.restarted)
    if pod.owner and done.direction != "down" and canonical(pod.owner[0]) in WORKLOADS:
        reads.append(describe(canonical(pod.owner[0]), pod.owner[1], namespace, depth, "up"))
    pending = name if pod.unscheduled else ""
    for claim in pod.claims[:MAX_CLAIMS]:
        reads.append(describe("persistentvolumeclaim", claim, namespace, depth, pending_pod=pending))
    if pod.unscheduled and _about_nodes(pod.events):
        nodes = Want("nodes", limit=MAX_NODES)
        reads.append(read("kubectl_get_by_kind_in_cluster", {"kind": "node"}, depth, want=nodes, pending_pod=name))
        if not pod.node_selector and any(_AFFINITY.search(e) for e in pod.events):
            # describe shows node selectors but not affinity: the pod's spec does.
            reads.append(read("kubectl_get_yaml", {"kind": "pod", "name": name, "namespace": namespace}, depth))
    if pod.node and (pod.reason == "Evicted" or any(_NODE_TROUBLE.search(e) for e in pod.events)):
        reads.append(describe("node", pod.node, None, depth))
    if any(c.state_reason.startswith("CreateContainer") for c in pod.containers) or any(
        _CONFIG_TROUBLE.search(e) for e in pod.events
    ):
        reads += _config_objects(pod, namespace, depth)
    return reads


def _about_nodes(events: list[str]) -> bool:
    """Whether the nodes can say why a pod waits: the scheduler gave per-node reasons (resources, taints, labels),
    or no reason at all. A claim not bound is the claim's to explain."""
    said = [e for e in events if "FailedScheduling" in e]
    return not said or any(_PER_NODE.search(e) for e in said)


def _config_objects(pod: PodFacts, namespace: str, depth: int) -> list[Read]:
    """The ConfigMaps and Secrets the pod reads, those its events name first: which is missing, or lacks a key."""
    said = " ".join(pod.events)
    refs = sorted({(kind, obj) for kind, obj, _ in pod.config_references}, key=lambda ref: ref[1] not in said)
    return [describe(kind.lower(), obj, namespace, depth) for kind, obj in refs[:MAX_CONFIG_OBJECTS]]


def _claim(done: Read, text: str, depth: int) -> list[Read]:
    claim = parse_claim(text, done.param("name"), done.param("namespace"))
    reads: list[Read] = []
    if claim.pending:
        reads.append(read("kubectl_get_by_kind_in_cluster", {"kind": "storageclass"}, depth))
        if not claim.storage_class or any("no persistent volumes available" in e for e in claim.events):
            reads.append(read("kubectl_get_by_kind_in_cluster", {"kind": "persistentvolume"}, depth))
    elif claim.volume and (done.depth == 0 or done.pending_pod):
        # A bound claim matters to a pending pod through its volume's node affinity (its zone).
        reads.append(describe("persistentvolume", claim.volume, None, depth))
    if done.depth == 0:  # the claim is the subject: the pods using it are what it affects
        for pod in claim.used_by[:MAX_PODS]:
            reads += visit_pod(pod, claim.namespace, depth, "down")
    return reads


def _service(done: Read, text: str, depth: int) -> list[Read]:
    service = parse_service(text, done.param("name"), done.param("namespace"))
    reads: list[Read] = []
    namespace = service.namespace
    if service.endpoints is None:
        reads.append(
            read("kubectl_get_by_name", {"kind": "endpoints", "name": service.name, "namespace": namespace}, depth)
        )
    if service.selector:
        # Without a LABELS column, pods are most often named after the selector's value (app=web -> web-...).
        first = next(iter(service.selector.values()))
        want = Want("pods", rf"{re.escape(first)}-.+", tuple(sorted(service.selector.items())), MAX_PODS)
        reads.append(
            read("kubectl_get_by_kind_in_namespace", {"kind": "pod", "namespace": namespace}, depth, "down", want=want)
        )
    return reads


def _workload(done: Read, kind: str, text: str, depth: int) -> list[Read]:
    facts = parse_workload(text, kind, done.param("name"), done.param("namespace"))
    name, namespace = facts.name, facts.namespace
    reads: list[Read] = []
    if facts.owner and done.direction != "down" and canonical(facts.owner[0]) in WORKLOADS:
        reads.append(describe(canonical(facts.owner[0]), facts.owner[1], namespace, depth, "up"))
    if done.direction == "up":
        return reads  # reached from one of its pods: its owner's events, not its other children
    if kind == "replicaset" and done.direction == "down":
        return reads  # reached from its Deployment, which picks the pods itself
    if kind == "cronjob":
        reads += [describe("job", job, namespace, depth, "down") for job in facts.jobs[:MAX_JOBS]]
        return [*reads, jobs_of(name, namespace, depth)]
    if kind == "deployment":
        # The new ReplicaSet's events tell why pods are not created (quota, admission, service account).
        reads += [describe("replicaset", rs, namespace, depth, "down") for rs in facts.replicasets[:1]]
    if kind == "statefulset":
        claims = facts.claims or [f"{template}-{name}-0" for template in facts.claim_templates]
        reads += [describe("persistentvolumeclaim", c, namespace, depth, "down") for c in claims[:MAX_CLAIMS]]
    selector = tuple(sorted(facts.selector.items()))
    return [*reads, pods_of(kind, name, namespace, depth, selector, tuple(reversed(facts.pods)))]


def pods_of(
    kind: str,
    name: str,
    namespace: str,
    depth: int,
    selector: tuple[tuple[str, str], ...] = (),
    prefer: tuple[str, ...] = (),
) -> Read:
    """The namespace's pod listing, to pick the controller's pods from (the unhealthy first); failing that, its
    lineage; failing that, the pods its events named."""
    pattern = rf"{re.escape(name)}-{POD_SUFFIX.get(kind, '.+')}"
    named = tuple(r for pod in prefer[:MAX_PODS] for r in visit_pod(pod, namespace, depth + 1, "down"))
    # Every namespace's pods whose row names the controller (kubectl get -A | grep), in this namespace.
    find_want = Want("pods", pattern, selector, MAX_PODS, prefer, named, namespace)
    find = read("kubectl_find_resource", {"kind": "pod", "keyword": name}, depth, "down", want=find_want)
    lineage_want = Want("pods", pattern, selector, MAX_PODS, prefer, (find,))
    lineage = read(
        "kubectl_lineage_children",
        {"kind": kind, "name": name, "namespace": namespace},
        depth,
        "down",
        want=lineage_want,
    )
    want = Want("pods", pattern, selector, MAX_PODS, prefer, (lineage,))
    return read("kubectl_get_by_kind_in_namespace", {"kind": "pod", "namespace": namespace}, depth, "down", want=want)


def jobs_of(cronjob: str, namespace: str, depth: int) -> Read:
    want = Want("jobs", rf"{re.escape(cronjob)}-\d+", limit=MAX_JOBS)
    return read("kubectl_get_by_kind_in_namespace", {"kind": "job", "namespace": namespace}, depth, "down", want=want)


# -- listings --------------------------------------------------------------------------------------------------


def _from_listing(done: Read, result: ToolResult) -> list[Read]:
    want = done.want
    assert want is not None
    depth = done.depth + 1
    namespace = done.param("namespace") or want.namespace
    text = result.text if answered(result) else ""
    if want.what == "pods":
        pods = _pick_pods(done.tool, text, want)
        if not pods:
            return list(want.fallback)
        return [r for pod in pods for r in visit_pod(pod, namespace, depth, "down")]
    if want.what == "jobs":
        rows = [row for row in job_rows(text) if re.fullmatch(want.pattern, row.name)]
        rows.sort(key=lambda row: (not row.failed, -int(row.name.rsplit("-", 1)[-1])))
        return [describe("job", row.name, namespace, depth, "down") for row in rows[: want.limit]]
    if want.what == "nodes":
        nodes = [node.name for node in parse_node_listing(text)]
        return [describe("node", node, None, depth, pending_pod=done.pending_pod) for node in nodes[: want.limit]]
    if want.what == "services":
        chosen = [
            row["NAME"]
            for row in table(text)
            if row.get("NAME")
            and ((want.pattern and re.fullmatch(want.pattern, row["NAME"])) or row.get("CLUSTER-IP") in want.addresses)
        ]
        return [describe("service", name, namespace, depth, "down") for name in chosen[: want.limit]]
    traces = sorted(((int(ms), trace_id) for trace_id, ms in _TRACE.findall(text)), reverse=True)
    return [read("fetch_tempo_trace_by_id", {"trace_id": trace_id}, depth) for _, trace_id in traces[: want.limit]]


def _pick_pods(tool: str, text: str, want: Want) -> list[str]:
    if tool == "kubectl_lineage_children":
        names = [n for n in dict.fromkeys(_LINEAGE_POD.findall(text)) if re.fullmatch(want.pattern, n)]
        return names[: want.limit]
    if tool == "kubectl_find_resource":  # grep's rows: no header, the namespace first
        found = [
            row
            for row in parse_rows(text, "pod")
            if (not want.namespace or row.namespace == want.namespace) and re.fullmatch(want.pattern, row.name)
        ]
        found.sort(key=lambda row: (row.name not in want.prefer, row.healthy))
        return [row.name for row in found[: want.limit]]
    rows = pod_rows(text)
    selector = dict(want.selector)
    if selector and any(row.labels for row in rows):
        chosen = [row for row in rows if matches(selector, row.labels)]
    else:
        chosen = [row for row in rows if want.pattern and re.fullmatch(want.pattern, row.name)]
    chosen.sort(key=lambda row: (row.name not in want.prefer, row.healthy))
    return [row.name for row in chosen[: want.limit]]

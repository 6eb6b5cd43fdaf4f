"""The cells of each kind's `kubectl get -o wide` row, from API objects (plain JSON dicts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aisre.investigations.adapters.kubernetes.render import (
    Obj,
    age,
    containers_and_images,
    get,
    key_values,
    parse_time,
    pod_ready,
    pod_restarts,
    pod_status,
)

_ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
_DEFAULT_CLASS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def created(obj: Obj, now: datetime) -> str:
    return age(get(obj, "metadata", "creationTimestamp"), now)


def access_modes(modes: Sequence[str] | None) -> str:
    """kubectl's short access modes: RWO,ROX."""
    return ",".join(_ACCESS_MODES.get(mode, mode) for mode in modes or [])


def restarts(pod: Obj, now: datetime) -> str:
    """The RESTARTS cell: the count, and how long ago the last restart was, as kubectl prints it ("6 (37m ago)")."""
    count = pod_restarts(pod)
    finished = [
        when
        for status in get(pod, "status", "containerStatuses", default=[])
        if (when := parse_time(get(status, "lastState", "terminated", "finishedAt"))) is not None
    ]
    if count and finished:
        latest = max(finished).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{count} ({age(latest, now)} ago)"
    return str(count)


def _selector(obj: Obj) -> str:
    return key_values(get(obj, "spec", "selector", "matchLabels"))


def pod(obj: Obj, now: datetime) -> Sequence[Any]:
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    gates = ",".join(g.get("conditionType", "") for g in spec.get("readinessGates") or [])
    return (
        pod_ready(obj),
        pod_status(obj),
        restarts(obj, now),
        created(obj, now),
        status.get("podIP"),
        spec.get("nodeName"),
        status.get("nominatedNodeName"),
        gates,
    )


def deployment(obj: Obj, now: datetime) -> Sequence[Any]:
    status = obj.get("status") or {}
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    ready = f"{status.get('readyReplicas') or 0}/{get(obj, 'spec', 'replicas', default=1)}"
    updated, available = status.get("updatedReplicas") or 0, status.get("availableReplicas") or 0
    return (ready, updated, available, created(obj, now), containers, images, _selector(obj))


def statefulset(obj: Obj, now: datetime) -> Sequence[Any]:
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    ready = f"{get(obj, 'status', 'readyReplicas', default=0)}/{get(obj, 'spec', 'replicas', default=1)}"
    return (ready, created(obj, now), containers, images)


def replicaset(obj: Obj, now: datetime) -> Sequence[Any]:
    status = obj.get("status") or {}
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    desired = get(obj, "spec", "replicas", default=0)
    current, ready = status.get("replicas") or 0, status.get("readyReplicas") or 0
    return (desired, current, ready, created(obj, now), containers, images, _selector(obj))


def daemonset(obj: Obj, now: datetime) -> Sequence[Any]:
    s = obj.get("status") or {}
    node_selector = key_values(get(obj, "spec", "template", "spec", "nodeSelector"))
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    counts = ("desiredNumberScheduled", "currentNumberScheduled", "numberReady", "updatedNumberScheduled")
    available = s.get("numberAvailable") or 0
    return (*(s.get(c) or 0 for c in counts), available, node_selector, created(obj, now), containers, images)


def job_status(job: Obj) -> str:
    for condition in get(job, "status", "conditions", default=[]):
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed", "Suspended"):
            return str(condition["type"])
    return "Running"


def job(obj: Obj, now: datetime) -> Sequence[Any]:
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    completions = f"{get(obj, 'status', 'succeeded', default=0)}/{get(obj, 'spec', 'completions', default=1)}"
    # A finished job's duration runs to its completion, a running one's to now.
    end = parse_time(get(obj, "status", "completionTime")) or now
    duration = age(get(obj, "status", "startTime"), end)
    return (job_status(obj), completions, duration, created(obj, now), containers, images, _selector(obj))


def cronjob(obj: Obj, now: datetime) -> Sequence[Any]:
    spec = obj.get("spec") or {}
    active = len(get(obj, "status", "active", default=[]))
    last = get(obj, "status", "lastScheduleTime")
    template = get(spec, "jobTemplate", "spec", "template", "spec", default={})
    containers, images = containers_and_images(template)
    return (
        spec.get("schedule"),
        spec.get("timeZone"),
        spec.get("suspend", False),
        active,
        age(last, now) if last else "<none>",
        created(obj, now),
        containers,
        images,
        key_values(get(spec, "jobTemplate", "spec", "selector", "matchLabels")),
    )


def node_status(node: Obj) -> str:
    ready = next((c for c in get(node, "status", "conditions", default=[]) if c.get("type") == "Ready"), None)
    status = "Ready" if ready and ready.get("status") == "True" else "NotReady"
    return f"{status},SchedulingDisabled" if get(node, "spec", "unschedulable") else status


def node_roles(node: Obj) -> str:
    labels = get(node, "metadata", "labels", default={})
    return ",".join(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/")) or "<none>"


def node(obj: Obj, now: datetime) -> Sequence[Any]:
    info = get(obj, "status", "nodeInfo", default={})
    internal = next(
        (a["address"] for a in get(obj, "status", "addresses", default=[]) if a.get("type") == "InternalIP"), ""
    )
    external = next(
        (a["address"] for a in get(obj, "status", "addresses", default=[]) if a.get("type") == "ExternalIP"), ""
    )
    return (
        node_status(obj),
        node_roles(obj),
        created(obj, now),
        info.get("kubeletVersion"),
        internal,
        external,
        info.get("osImage"),
        info.get("kernelVersion"),
        info.get("containerRuntimeVersion"),
    )


def pvc(obj: Obj, now: datetime) -> Sequence[Any]:
    capacity = get(obj, "status", "capacity", "storage", default="")
    modes = access_modes(get(obj, "status", "accessModes") or get(obj, "spec", "accessModes"))
    spec = obj.get("spec") or {}
    return (
        get(obj, "status", "phase"),
        spec.get("volumeName"),
        capacity,
        modes,
        spec.get("storageClassName"),
        created(obj, now),
        spec.get("volumeMode", "Filesystem"),
    )


def pv(obj: Obj, now: datetime) -> Sequence[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    claim = spec.get("claimRef") or {}
    claimed = f"{claim.get('namespace')}/{claim.get('name')}" if claim.get("name") else ""
    return (
        get(spec, "capacity", "storage", default=""),
        access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", "Retain"),
        status.get("phase"),
        claimed,
        spec.get("storageClassName"),
        status.get("reason"),
        created(obj, now),
        spec.get("volumeMode", "Filesystem"),
    )


def is_default_class(obj: Obj) -> bool:
    annotations = get(obj, "metadata", "annotations", default={})
    return any(str(annotations.get(key, "")).lower() == "true" for key in _DEFAULT_CLASS)


def storage_class_name(obj: Obj) -> str:
    name = str(get(obj, "metadata", "name"))
    return f"{name} (default)" if is_default_class(obj) else name


def storageclass(obj: Obj, now: datetime) -> Sequence[Any]:
    return (
        obj.get("provisioner"),
        obj.get("reclaimPolicy", "Delete"),
        obj.get("volumeBindingMode", "Immediate"),
        str(bool(obj.get("allowVolumeExpansion", False))).lower(),
        created(obj, now),
    )


def service(obj: Obj, now: datetime) -> Sequence[Any]:
    spec = obj.get("spec") or {}
    ingress = get(obj, "status", "loadBalancer", "ingress", default=[])
    external = ",".join(i.get("ip") or i.get("hostname") or "" for i in ingress) or "<none>"
    ports = ",".join(
        f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/{p.get('protocol', 'TCP')}"
        for p in spec.get("ports") or []
    )
    return (
        spec.get("type"),
        spec.get("clusterIP"),
        external,
        ports,
        created(obj, now),
        key_values(spec.get("selector")),
    )


def endpoint_addresses(obj: Obj, limit: int = 3) -> str:
    """kubectl's ENDPOINTS cell: ip:port pairs, the first three and "+ N more..."."""
    pairs = [
        f"{address.get('ip')}:{port.get('port')}"
        for subset in obj.get("subsets") or []
        for port in subset.get("ports") or [{}]
        for address in subset.get("addresses") or []
    ]
    if not pairs:
        return "<none>"
    more = f" + {len(pairs) - limit} more..." if len(pairs) > limit else ""
    return ",".join(pairs[:limit]) + more


def endpoints(obj: Obj, now: datetime) -> Sequence[Any]:
    return (endpoint_addresses(obj), created(obj, now))


def configmap(obj: Obj, now: datetime) -> Sequence[Any]:
    return (len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), created(obj, now))


def namespace(obj: Obj, now: datetime) -> Sequence[Any]:
    return (get(obj, "status", "phase"), created(obj, now))


def ingress(obj: Obj, now: datetime) -> Sequence[Any]:
    spec = obj.get("spec") or {}
    hosts = ",".join(rule.get("host", "*") for rule in spec.get("rules") or []) or "*"
    address = ",".join(
        i.get("ip") or i.get("hostname") or "" for i in get(obj, "status", "loadBalancer", "ingress", default=[])
    )
    ports = "80, 443" if spec.get("tls") else "80"
    return (spec.get("ingressClassName"), hosts, address, ports, created(obj, now))


def networkpolicy(obj: Obj, now: datetime) -> Sequence[Any]:
    selector = key_values(get(obj, "spec", "podSelector", "matchLabels"))
    return ("<none>" if selector == "<none>" else selector, created(obj, now))


def hpa(obj: Obj, now: datetime) -> Sequence[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    target = spec.get("scaleTargetRef") or {}
    targets = []
    for metric, current in zip(spec.get("metrics") or [], status.get("currentMetrics") or [None] * 99, strict=False):
        resource = metric.get("resource") or {}
        want = get(resource, "target", "averageUtilization")
        have = get(current or {}, "resource", "current", "averageUtilization", default="<unknown>")
        if want is not None:
            targets.append(f"{resource.get('name')}: {have}%/{want}%")
    return (
        f"{target.get('kind')}/{target.get('name')}",
        ", ".join(targets) or "<none>",
        spec.get("minReplicas", 1),
        spec.get("maxReplicas"),
        status.get("currentReplicas", 0),
        created(obj, now),
    )


def crd(obj: Obj, now: datetime) -> Sequence[Any]:
    return (get(obj, "metadata", "creationTimestamp"),)

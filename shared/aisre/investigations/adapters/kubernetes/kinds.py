"""The resource kinds the Kubernetes tools read, their client API methods, and their `kubectl get -o wide` rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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

Row = Callable[[Obj, datetime], Sequence[Any]]


@dataclass(frozen=True)
class Kind:
    """One kind: which client API class serves it and the stem of its method names (read_namespaced_<stem>...)."""

    name: str  # kubectl's Kind, e.g. "Pod"
    api: str  # kubernetes.client class name
    stem: str
    namespaced: bool
    columns: tuple[str, ...] = ("AGE",)
    row: Row | None = None

    def cells(self, obj: Obj, now: datetime) -> Sequence[Any]:
        return self.row(obj, now) if self.row else (age(get(obj, "metadata", "creationTimestamp"), now),)


def _created(obj: Obj, now: datetime) -> str:
    return age(get(obj, "metadata", "creationTimestamp"), now)


def _pod(pod: Obj, now: datetime) -> Sequence[Any]:
    status = pod.get("status") or {}
    node = get(pod, "spec", "nodeName")
    return (pod_ready(pod), pod_status(pod), pod_restarts(pod), _created(pod, now), status.get("podIP"), node)


def _deployment(obj: Obj, now: datetime) -> Sequence[Any]:
    status = obj.get("status") or {}
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    ready = f"{status.get('readyReplicas') or 0}/{get(obj, 'spec', 'replicas', default=1)}"
    selector = key_values(get(obj, "spec", "selector", "matchLabels"))
    updated, available = status.get("updatedReplicas") or 0, status.get("availableReplicas") or 0
    return (ready, updated, available, _created(obj, now), containers, images, selector)


def _statefulset(obj: Obj, now: datetime) -> Sequence[Any]:
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    ready = f"{get(obj, 'status', 'readyReplicas', default=0)}/{get(obj, 'spec', 'replicas', default=1)}"
    return (ready, _created(obj, now), containers, images)


def _replicaset(obj: Obj, now: datetime) -> Sequence[Any]:
    status = obj.get("status") or {}
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    desired = get(obj, "spec", "replicas", default=0)
    return (
        desired,
        status.get("replicas") or 0,
        status.get("readyReplicas") or 0,
        _created(obj, now),
        containers,
        images,
    )


def _daemonset(obj: Obj, now: datetime) -> Sequence[Any]:
    s = obj.get("status") or {}
    selector = key_values(get(obj, "spec", "template", "spec", "nodeSelector"))
    counts = ("desiredNumberScheduled", "currentNumberScheduled", "numberReady", "updatedNumberScheduled")
    return (*(s.get(c) or 0 for c in counts), s.get("numberAvailable") or 0, selector, _created(obj, now))


def job_status(job: Obj) -> str:
    for condition in get(job, "status", "conditions", default=[]):
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed", "Suspended"):
            return str(condition["type"])
    return "Running"


def _job(obj: Obj, now: datetime) -> Sequence[Any]:
    containers, images = containers_and_images(get(obj, "spec", "template", "spec", default={}))
    completions = f"{get(obj, 'status', 'succeeded', default=0)}/{get(obj, 'spec', 'completions', default=1)}"
    # A finished job's duration runs to its completion, a running one's to now.
    end = parse_time(get(obj, "status", "completionTime")) or now
    duration = age(get(obj, "status", "startTime"), end)
    return (job_status(obj), completions, duration, _created(obj, now), containers, images)


def _cronjob(obj: Obj, now: datetime) -> Sequence[Any]:
    spec = obj.get("spec") or {}
    active = len(get(obj, "status", "active", default=[]))
    last = get(obj, "status", "lastScheduleTime")
    return (spec.get("schedule"), spec.get("suspend", False), active, age(last, now) if last else "<none>")


def node_status(node: Obj) -> str:
    ready = next((c for c in get(node, "status", "conditions", default=[]) if c.get("type") == "Ready"), None)
    status = "Ready" if ready and ready.get("status") == "True" else "NotReady"
    return f"{status},SchedulingDisabled" if get(node, "spec", "unschedulable") else status


def _node(node: Obj, now: datetime) -> Sequence[Any]:
    labels = get(node, "metadata", "labels", default={})
    roles = ",".join(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/")) or "<none>"
    info = get(node, "status", "nodeInfo", default={})
    internal = next(
        (a["address"] for a in get(node, "status", "addresses", default=[]) if a.get("type") == "InternalIP"), ""
    )
    return (
        node_status(node),
        roles,
        _created(node, now),
        info.get("kubeletVersion"),
        internal,
        info.get("osImage"),
        info.get("kernelVersion"),
        info.get("containerRuntimeVersion"),
    )


def _pvc(obj: Obj, now: datetime) -> Sequence[Any]:
    capacity = get(obj, "status", "capacity", "storage", default="")
    modes = ",".join(get(obj, "status", "accessModes", default=[]) or get(obj, "spec", "accessModes", default=[]))
    volume = get(obj, "spec", "volumeName")
    storage_class = get(obj, "spec", "storageClassName")
    return (get(obj, "status", "phase"), volume, capacity, modes, storage_class, _created(obj, now))


def _service(obj: Obj, now: datetime) -> Sequence[Any]:
    spec = obj.get("spec") or {}
    ingress = get(obj, "status", "loadBalancer", "ingress", default=[])
    external = ",".join(i.get("ip") or i.get("hostname") or "" for i in ingress) or "<none>"
    ports = ",".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or [])
    return (
        spec.get("type"),
        spec.get("clusterIP"),
        external,
        ports,
        _created(obj, now),
        key_values(spec.get("selector")),
    )


KINDS: dict[str, Kind] = {
    k.name.lower(): k
    for k in (
        Kind("Pod", "CoreV1Api", "pod", True, ("READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"), _pod),
        Kind(
            "Deployment",
            "AppsV1Api",
            "deployment",
            True,
            ("READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"),
            _deployment,
        ),
        Kind("StatefulSet", "AppsV1Api", "stateful_set", True, ("READY", "AGE", "CONTAINERS", "IMAGES"), _statefulset),
        Kind(
            "ReplicaSet",
            "AppsV1Api",
            "replica_set",
            True,
            ("DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES"),
            _replicaset,
        ),
        Kind(
            "DaemonSet",
            "AppsV1Api",
            "daemon_set",
            True,
            ("DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"),
            _daemonset,
        ),
        Kind(
            "Job", "BatchV1Api", "job", True, ("STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES"), _job
        ),
        Kind("CronJob", "BatchV1Api", "cron_job", True, ("SCHEDULE", "SUSPEND", "ACTIVE", "LAST SCHEDULE"), _cronjob),
        Kind(
            "Node",
            "CoreV1Api",
            "node",
            False,
            ("STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"),
            _node,
        ),
        Kind(
            "PersistentVolumeClaim",
            "CoreV1Api",
            "persistent_volume_claim",
            True,
            ("STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"),
            _pvc,
        ),
        Kind("PersistentVolume", "CoreV1Api", "persistent_volume", False),
        Kind(
            "Service",
            "CoreV1Api",
            "service",
            True,
            ("TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"),
            _service,
        ),
        Kind("Namespace", "CoreV1Api", "namespace", False),
        Kind("ConfigMap", "CoreV1Api", "config_map", True),
        Kind("Ingress", "NetworkingV1Api", "ingress", True),
        Kind("NetworkPolicy", "NetworkingV1Api", "network_policy", True),
        Kind("HorizontalPodAutoscaler", "AutoscalingV2Api", "horizontal_pod_autoscaler", True),
        # Secrets are left out on purpose: tool output goes into prompts, and secret values must never.
    )
}
_ALIASES = {
    "po": "pod",
    "deploy": "deployment",
    "sts": "statefulset",
    "rs": "replicaset",
    "ds": "daemonset",
    "cj": "cronjob",
    "no": "node",
    "pvc": "persistentvolumeclaim",
    "pv": "persistentvolume",
    "svc": "service",
    "ns": "namespace",
    "cm": "configmap",
    "ing": "ingress",
    "netpol": "networkpolicy",
    "hpa": "horizontalpodautoscaler",
}


def resolve_kind(kind: str | None) -> Kind | None:
    """The Kind for what a user or model typed: "pods", "Deployment", "deploy", "deployments.apps"."""
    text = str(kind or "").strip().lower().split(".", 1)[0]
    text = _ALIASES.get(text, text)
    if text not in KINDS and text.endswith("es") and text[:-2] in KINDS:
        text = text[:-2]
    elif text not in KINDS and text.endswith("s"):
        text = _ALIASES.get(text[:-1], text[:-1])
    return KINDS.get(text)

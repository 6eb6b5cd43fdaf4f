"""The resource kinds the Kubernetes tools read: which client API serves each, its `kubectl get -o wide` columns,
and how what a user or model typed ("pods", "deploy", "crd", "all") names them. Secrets are not among them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aisre.investigations.adapters.kubernetes import rows
from aisre.investigations.adapters.kubernetes.render import Obj, age, get
from aisre.investigations.model.kubectl.kinds import ALIASES as _ALIASES

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
    group: str = ""  # the API group kubectl names it by in `get all` ("deployment.apps/checkout")

    def cells(self, obj: Obj, now: datetime) -> Sequence[Any]:
        return self.row(obj, now) if self.row else (age(get(obj, "metadata", "creationTimestamp"), now),)

    def display_name(self, obj: Obj) -> str:
        if self.name == "StorageClass":
            return rows.storage_class_name(obj)
        return str(get(obj, "metadata", "name"))

    @property
    def qualified(self) -> str:
        """`pod`, `deployment.apps`, `job.batch`: the prefix of a row's name in `kubectl get all`."""
        return f"{self.name.lower()}.{self.group}" if self.group else self.name.lower()


_WIDE_CONTAINERS = ("CONTAINERS", "IMAGES", "SELECTOR")

KINDS: dict[str, Kind] = {
    k.name.lower(): k
    for k in (
        Kind(
            "Pod",
            "CoreV1Api",
            "pod",
            True,
            ("READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
            rows.pod,
        ),
        Kind(
            "Deployment",
            "AppsV1Api",
            "deployment",
            True,
            ("READY", "UP-TO-DATE", "AVAILABLE", "AGE", *_WIDE_CONTAINERS),
            rows.deployment,
            "apps",
        ),
        Kind(
            "StatefulSet",
            "AppsV1Api",
            "stateful_set",
            True,
            ("READY", "AGE", "CONTAINERS", "IMAGES"),
            rows.statefulset,
            "apps",
        ),
        Kind(
            "ReplicaSet",
            "AppsV1Api",
            "replica_set",
            True,
            ("DESIRED", "CURRENT", "READY", "AGE", *_WIDE_CONTAINERS),
            rows.replicaset,
            "apps",
        ),
        Kind(
            "DaemonSet",
            "AppsV1Api",
            "daemon_set",
            True,
            ("DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE", "CONTAINERS", "IMAGES"),
            rows.daemonset,
            "apps",
        ),
        Kind(
            "Job",
            "BatchV1Api",
            "job",
            True,
            ("STATUS", "COMPLETIONS", "DURATION", "AGE", *_WIDE_CONTAINERS),
            rows.job,
            "batch",
        ),
        Kind(
            "CronJob",
            "BatchV1Api",
            "cron_job",
            True,
            ("SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE", *_WIDE_CONTAINERS),
            rows.cronjob,
            "batch",
        ),
        Kind(
            "Node",
            "CoreV1Api",
            "node",
            False,
            (
                "STATUS",
                "ROLES",
                "AGE",
                "VERSION",
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ),
            rows.node,
        ),
        Kind(
            "PersistentVolumeClaim",
            "CoreV1Api",
            "persistent_volume_claim",
            True,
            ("STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE", "VOLUMEMODE"),
            rows.pvc,
        ),
        Kind(
            "PersistentVolume",
            "CoreV1Api",
            "persistent_volume",
            False,
            (
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "REASON",
                "AGE",
                "VOLUMEMODE",
            ),
            rows.pv,
        ),
        Kind(
            "StorageClass",
            "StorageV1Api",
            "storage_class",
            False,
            ("PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"),
            rows.storageclass,
            "storage.k8s.io",
        ),
        Kind(
            "Service",
            "CoreV1Api",
            "service",
            True,
            ("TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"),
            rows.service,
        ),
        Kind("Endpoints", "CoreV1Api", "endpoints", True, ("ENDPOINTS", "AGE"), rows.endpoints),
        Kind("Namespace", "CoreV1Api", "namespace", False, ("STATUS", "AGE"), rows.namespace),
        # Listed and described by their keys only: see describe_infra.
        Kind("ConfigMap", "CoreV1Api", "config_map", True, ("DATA", "AGE"), rows.configmap),
        Kind(
            "Ingress",
            "NetworkingV1Api",
            "ingress",
            True,
            ("CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"),
            rows.ingress,
            "networking.k8s.io",
        ),
        Kind(
            "NetworkPolicy",
            "NetworkingV1Api",
            "network_policy",
            True,
            ("POD-SELECTOR", "AGE"),
            rows.networkpolicy,
            "networking.k8s.io",
        ),
        Kind(
            "HorizontalPodAutoscaler",
            "AutoscalingV2Api",
            "horizontal_pod_autoscaler",
            True,
            ("REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"),
            rows.hpa,
            "autoscaling",
        ),
        Kind(
            "CustomResourceDefinition",
            "ApiextensionsV1Api",
            "custom_resource_definition",
            False,
            ("CREATED AT",),
            rows.crd,
            "apiextensions.k8s.io",
        ),
        # Secrets are left out on purpose: tool output goes into prompts, and secret values must never.
    )
}
# What `kubectl get all` lists (and `*`, which models type for "any kind"): the workloads and their services.
ALL_KINDS: tuple[Kind, ...] = tuple(
    KINDS[name] for name in ("pod", "service", "daemonset", "deployment", "replicaset", "statefulset", "job", "cronjob")
)
_SECRET_KINDS = frozenset({"secret", "secrets"})


def is_secret(kind: str | None) -> bool:
    return str(kind or "").strip().lower().split(".", 1)[0] in _SECRET_KINDS


def is_all(kind: str | None) -> bool:
    return str(kind or "").strip().lower() in ("all", "*")


def resolve_kind(kind: str | None) -> Kind | None:
    """The Kind for what a user or model typed: "pods", "Deployment", "deploy", "deployments.apps", "crds"."""
    text = str(kind or "").strip().lower().split(".", 1)[0].replace("-", "").replace("_", "")
    text = _ALIASES.get(text, text)
    if text in KINDS:
        return KINDS[text]
    for singular in (
        text[:-3] + "y" if text.endswith("ies") else "",
        text[:-2] if text.endswith("es") else "",
        text[:-1],
    ):
        singular = _ALIASES.get(singular, singular)
        if singular in KINDS:
            return KINDS[singular]
    return None

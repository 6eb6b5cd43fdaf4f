"""A pod as `kubectl describe pod` shows it: where it runs, who owns it, what it mounts and asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aisre.investigations.model.kubectl.containers import ContainerInfo, parse_containers
from aisre.investigations.model.kubectl.labels import (
    Toleration,
    parse_labels,
    parse_tolerations,
)
from aisre.investigations.model.kubectl.quantity import parse_quantity
from aisre.investigations.model.kubectl.text import NONE_VALUES, event_lines, section, table, value_of, values_of

_OWNER = re.compile(r"^(\w+)/([\w.-]+)")
_VOLUME_REF = re.compile(r"^\s*(ClaimName|SecretName|Name):\s+(\S+)")
_VOLUME_TYPE = re.compile(r"^\s*Type:\s+(\w+)")
# ConfigMaps every pod mounts through its service account token: never a lead.
_IMPLICIT_CONFIGMAPS = frozenset({"kube-root-ca.crt", "openshift-service-ca.crt"})


@dataclass
class PodFacts:
    """What a pod's describe says; fields absent from the output stay empty."""

    name: str
    namespace: str
    node: str = ""
    status: str = ""
    reason: str = ""  # the pod-level reason (Evicted, NodeLost, ...)
    owner: tuple[str, str] | None = None  # (kind, name) from "Controlled By"
    labels: dict[str, str] = field(default_factory=dict)
    claims: list[str] = field(default_factory=list)
    config_maps: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    node_selector: dict[str, str] = field(default_factory=dict)
    node_selector_line: str = ""
    tolerations: list[Toleration] = field(default_factory=list)
    tolerations_line: str = ""
    tolerations_shown: bool = False  # a describe without a Tolerations line says nothing of them
    unscheduled: bool = False
    containers: list[ContainerInfo] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    @property
    def scheduled(self) -> bool:
        return bool(self.node) and not self.unscheduled

    @property
    def restarted(self) -> bool:
        """Whether any container ran before (so a previous log exists) or ended (so its log is whole)."""
        return any(c.restart_count > 0 or c.last_state or c.state == "Terminated" for c in self.containers)

    @property
    def config_references(self) -> list[tuple[str, str, str]]:
        """(kind, name, key) of every ConfigMap and Secret it reads, from volumes and from the environment."""
        refs = [("ConfigMap", name, "") for name in self.config_maps]
        refs += [("Secret", name, "") for name in self.secrets]
        refs += [ref for c in self.containers for ref in c.env_refs]
        return list(dict.fromkeys(refs))

    def requests(self) -> dict[str, float]:
        """What the scheduler reserves for the pod: the sum of its containers' requests, or an init container's
        when that is larger (init containers run one at a time, before the others)."""
        total: dict[str, float] = {}
        for container in (c for c in self.containers if not c.init):
            for resource, text in container.requests.items():
                total[resource] = total.get(resource, 0.0) + (parse_quantity(text) or 0.0)
        for container in (c for c in self.containers if c.init):
            for resource, text in container.requests.items():
                total[resource] = max(total.get(resource, 0.0), parse_quantity(text) or 0.0)
        return total


def parse_pod(text: str, name: str = "", namespace: str = "") -> PodFacts:
    pod = PodFacts(name=value_of(text, "Name") or name, namespace=value_of(text, "Namespace") or namespace)
    node = (value_of(text, "Node") or "").split("/")[0]
    pod.node = "" if node in NONE_VALUES else node
    pod.status = value_of(text, "Status") or ""
    pod.reason = value_of(text, "Reason") or ""
    owner = _OWNER.match(value_of(text, "Controlled By") or "")
    pod.owner = (owner.group(1), owner.group(2)) if owner else None
    pod.labels = parse_labels(values_of(text, "Labels"))
    _volumes(pod, section(text, "Volumes"))
    selector_values = values_of(text, "Node-Selectors")
    pod.node_selector = parse_labels(selector_values)
    pod.node_selector_line = ", ".join(selector_values)
    toleration_values = values_of(text, "Tolerations")
    pod.tolerations = parse_tolerations(toleration_values)
    pod.tolerations_line = ", ".join(toleration_values)
    pod.tolerations_shown = value_of(text, "Tolerations") is not None
    pod.containers = parse_containers(text)
    pod.events = event_lines(text)
    scheduled_false = any(re.match(r"\s*PodScheduled\s+False\b", line) for line in section(text, "Conditions"))
    pod.unscheduled = scheduled_false or (not pod.node and pod.status == "Pending")
    return pod


def _volumes(pod: PodFacts, lines: list[str]) -> None:
    kind = ""
    for line in lines:
        typed = _VOLUME_TYPE.match(line)
        if typed:
            kind = typed.group(1)
            continue
        ref = _VOLUME_REF.match(line)
        if ref is None:
            continue
        key, value = ref.groups()
        if key == "ClaimName":
            pod.claims.append(value)
        elif key == "SecretName":
            pod.secrets.append(value)
        elif key == "Name" and kind == "ConfigMap" and value not in _IMPLICIT_CONFIGMAPS:
            pod.config_maps.append(value)


@dataclass(frozen=True)
class PodRow:
    """One row of a pod listing."""

    name: str
    ready: str
    status: str
    labels: dict[str, str]
    ip: str = ""
    node: str = ""

    @property
    def healthy(self) -> bool:
        have, _, want = self.ready.partition("/")
        return self.status in ("Running", "Completed", "Succeeded") and have == want


def pod_rows(text: str) -> list[PodRow]:
    """A pod listing (`kubectl get pods -o wide --show-labels`), labels empty where the listing has none."""
    rows = []
    for row in table(text):
        if not row.get("NAME"):
            continue
        labels = parse_labels([row.get("LABELS", "")]) if row.get("LABELS") not in NONE_VALUES else {}
        rows.append(
            PodRow(
                name=row["NAME"],
                ready=row.get("READY", ""),
                status=row.get("STATUS", ""),
                labels=labels,
                ip=row.get("IP", ""),
                node=row.get("NODE", ""),
            )
        )
    return rows


def has_labels_column(text: str) -> bool:
    rows = table(text)
    return bool(rows) and "LABELS" in rows[0]

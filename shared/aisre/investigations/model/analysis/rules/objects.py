"""The objects the evidence holds, read once per rule: pods, nodes, claims, storage classes, Services, listings.

Rules that join hops (a pending pod and the nodes; a claim and its storage class; a Service and the pods) take
their facts from here and cite a line of each object they rest on, prefixed with the object it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aisre.investigations.model.analysis.text import quote
from aisre.investigations.model.evidence import Evidence, ToolResult
from aisre.investigations.model.gathering.leads import answered
from aisre.investigations.model.kubectl.nodes import NodeFacts, parse_node, parse_node_listing
from aisre.investigations.model.kubectl.pods import PodFacts, PodRow, parse_pod, pod_rows
from aisre.investigations.model.kubectl.services import ServiceFacts, parse_endpoints, parse_service
from aisre.investigations.model.kubectl.storage import (
    ClaimFacts,
    StorageClassRow,
    VolumeRow,
    parse_claim,
    parse_claim_listing,
    parse_storage_classes,
    parse_volumes,
)

PENDING_EVENT = "FailedScheduling"


@dataclass(frozen=True)
class Described:
    """An object's facts and the result they were read from."""

    kind: str
    name: str
    namespace: str
    result: ToolResult


def described(evidence: Evidence, kind: str, aside: bool = False) -> Iterator[Described]:
    """Answered describes of one kind (the kind as the read named it, any case): the subject's own objects, or
    with `aside` those read aside from it too (a dependency's Service)."""
    for result in evidence.of("kubectl_describe"):
        if result.aside and not aside:
            continue
        if str(result.params.get("kind", "")).lower() == kind and answered(result):
            yield Described(kind, str(result.params.get("name", "")), str(result.params.get("namespace") or ""), result)


def pods(evidence: Evidence) -> list[PodFacts]:
    return [parse_pod(d.result.text, d.name, d.namespace) for d in described(evidence, "pod")]


def pending_pods(evidence: Evidence) -> list[PodFacts]:
    """Pods no node took, the subject first."""
    found = [pod for pod in pods(evidence) if pod.unscheduled]
    found.sort(key=lambda pod: pod.name != evidence.issue.subject.name)
    return found


def nodes(evidence: Evidence) -> dict[str, NodeFacts]:
    """Every node read, described or listed, one record each (a describe's facts, a listing's labels)."""
    found: dict[str, NodeFacts] = {}
    for item in described(evidence, "node"):
        node = parse_node(item.result.text, item.name)
        found[node.name] = node
    for result in evidence.of("kubectl_get_by_kind_in_cluster", "kubectl_get_by_kind_in_namespace"):
        if str(result.params.get("kind", "")).lower() in ("node", "nodes") and answered(result):
            for listed in parse_node_listing(result.text):
                if listed.name in found:
                    found[listed.name].merge(listed)
                else:
                    found[listed.name] = listed
    return found


def claims(evidence: Evidence) -> dict[str, ClaimFacts]:
    """Claims by name, from their describes, else their `get` rows."""
    found: dict[str, ClaimFacts] = {}
    for item in described(evidence, "persistentvolumeclaim"):
        claim = parse_claim(item.result.text, item.name, item.namespace)
        found[claim.name] = claim
    for result in evidence.of("kubectl_get_by_name", "kubectl_get_by_kind_in_namespace"):
        if str(result.params.get("kind", "")).lower() == "persistentvolumeclaim" and answered(result):
            for claim in parse_claim_listing(result.text, str(result.params.get("namespace") or "")):
                found.setdefault(claim.name, claim)
    return found


def storage_classes(evidence: Evidence) -> list[StorageClassRow] | None:
    """The cluster's storage classes, None when they were not listed."""
    for result in evidence.of("kubectl_get_by_kind_in_cluster"):
        if str(result.params.get("kind", "")).lower() == "storageclass":
            return parse_storage_classes(result.text) if answered(result) else ([] if _none_found(result) else None)
    return None


def volumes(evidence: Evidence) -> list[VolumeRow] | None:
    for result in evidence.of("kubectl_get_by_kind_in_cluster"):
        if str(result.params.get("kind", "")).lower() == "persistentvolume":
            return parse_volumes(result.text) if answered(result) else ([] if _none_found(result) else None)
    return None


def _none_found(result: ToolResult) -> bool:
    return "No resources found" in result.body


def services(evidence: Evidence, aside: bool = False) -> list[ServiceFacts]:
    found = []
    for item in described(evidence, "service", aside):
        service = parse_service(item.result.text, item.name, item.namespace)
        if service.endpoints is None:
            service.endpoints, service.endpoints_line = _endpoints_read(evidence, service)
        found.append(service)
    return found


def _endpoints_read(evidence: Evidence, service: ServiceFacts) -> tuple[list[str] | None, str]:
    for result in evidence.of("kubectl_get_by_name"):
        params = result.params
        if str(params.get("kind", "")).lower() == "endpoints" and params.get("name") == service.name:
            addresses = parse_endpoints(result.text) if answered(result) else None
            if addresses is not None:
                return addresses, f"Endpoints: {','.join(addresses) or '<none>'}"
    return None, ""


def pod_listing(evidence: Evidence, namespace: str) -> list[PodRow] | None:
    """The namespace's pods as listed (None when not listed)."""
    for result in evidence.of("kubectl_get_by_kind_in_namespace"):
        params = result.params
        if str(params.get("kind", "")).lower() in ("pod", "pods") and params.get("namespace") == namespace:
            if answered(result):
                return pod_rows(result.text)
            if _none_found(result):
                return []
    return None


def cite(kind: str, name: str, line: str, namespace: str = "") -> str:
    """An evidence line with the object it came from: `PersistentVolumeClaim shop/data: StorageClass: fast`."""
    where = f"{namespace}/{name}" if namespace else name
    return quote(f"{kind} {where}: {line.strip()}")

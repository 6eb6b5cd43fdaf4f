"""What a workload's logs lead to: the Services they name or dial (to see whether the one it cannot resolve
exists, and whether the one that refuses it has endpoints), and, when names do not resolve, the cluster's DNS
pods. These reads are aside from the subject: their answers are evidence about its dependencies, not about it."""

from __future__ import annotations

import re

from aisre.investigations.model.evidence import ASIDE_CLUSTER_DNS, ASIDE_DEPENDENCY
from aisre.investigations.model.gathering.reads import Read, Want, read
from aisre.investigations.model.kubectl.dependencies import (
    ServiceRef,
    dns_failures,
    failed_targets,
    service_of,
    unresolved_hosts,
)

# The cluster's DNS pods (CoreDNS, or kube-dns on older clusters), in kube-system.
CLUSTER_DNS_NAMESPACE = "kube-system"
CLUSTER_DNS_PODS = r"(?:coredns|kube-dns)-.+"
MAX_DEPENDENCY_NAMESPACES = 2
MAX_SERVICES = 2
MAX_DNS_PODS = 2


def dependency_reads(done: Read, text: str) -> list[Read]:
    namespace = done.param("namespace")
    depth = done.depth + 1
    refs = [ref for host in unresolved_hosts(text) if (ref := service_of(host, namespace))]
    refs += [ref for target in failed_targets(text) if (ref := service_of(target, namespace))]
    reads = [_services(ns, [r for r in refs if r.namespace == ns], depth) for ns in _namespaces(refs)]
    if dns_failures(text):
        want = Want("pods", CLUSTER_DNS_PODS, limit=MAX_DNS_PODS)
        params = {"kind": "pod", "namespace": CLUSTER_DNS_NAMESPACE}
        reads.append(read("kubectl_get_by_kind_in_namespace", params, depth, want=want, aside=ASIDE_CLUSTER_DNS))
    return reads


def _namespaces(refs: list[ServiceRef]) -> list[str]:
    return list(dict.fromkeys(ref.namespace for ref in refs if ref.namespace))[:MAX_DEPENDENCY_NAMESPACES]


def _services(namespace: str, refs: list[ServiceRef], depth: int) -> Read:
    """The namespace's Services: the listing says whether a name exists (and which names do); the ones named or
    dialled are described next (their endpoints, their pods)."""
    names = [re.escape(ref.name) for ref in refs if ref.name]
    addresses = tuple(ref.address for ref in refs if ref.address)
    want = Want("services", "|".join(names), limit=MAX_SERVICES, addresses=addresses)
    params = {"kind": "service", "namespace": namespace}
    return read("kubectl_get_by_kind_in_namespace", params, depth, want=want, aside=ASIDE_DEPENDENCY)

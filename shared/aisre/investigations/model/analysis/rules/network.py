"""Network policy blocking traffic: DNS or connection failures in a pod that a NetworkPolicy selects."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.logs import dns_host
from aisre.investigations.model.analysis.text import find, quotes
from aisre.investigations.model.evidence import LOG_TOOLS, Evidence
from aisre.investigations.model.kubectl.dependencies import DNS_FAILURE

_POLICY = re.compile(r"NetworkPolic(?:y|ies)[/\s]+([\w.-]+)|networkpolicy(?:\.networking\.k8s\.io)?/([\w.-]+)", re.I)
_RESTRICTIVE = re.compile(r"deny|egress|isolat|block|restrict", re.IGNORECASE)


def network_policy_blocks(evidence: Evidence) -> Finding | None:
    policies = [h for h in find(evidence.results, _POLICY) if h.result.tool not in LOG_TOOLS]
    failures = find(evidence.logs(), DNS_FAILURE)
    if not policies or not failures:
        return None
    names = []
    for hit in policies:
        name = next(g for g in hit.match.groups() if g)
        if name not in names:
            names.append(name)
    names.sort(key=lambda n: not _RESTRICTIVE.search(n))
    host = dns_host(failures)
    target = f"`{host}`" if host else "its dependencies"
    cause = (
        f"The NetworkPolicy `{names[0]}` applies to the pod and most likely blocks its egress DNS traffic "
        f"(UDP/TCP port 53 to kube-dns), so it cannot resolve {target}."
    )
    return Finding(
        rule="network_policy_blocks",
        root_cause=cause,
        evidence_lines=(*quotes(policies, 2), *quotes(failures, 2)),
        confidence=0.9 if _RESTRICTIVE.search(names[0]) else 0.7,
        suggestions=(
            f"Review NetworkPolicy `{names[0]}` (kubectl describe networkpolicy); allow egress to kube-dns port 53",
            "Then allow egress to the dependency's port as well, if the policy denies all egress",
        ),
    )

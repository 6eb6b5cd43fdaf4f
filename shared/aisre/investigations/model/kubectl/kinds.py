"""Kubernetes kinds by one name each, whatever a person, an alert or `Controlled By:` calls them."""

from __future__ import annotations

# kubectl's short names (and a few singular/plural slips), to the kind's one name.
ALIASES = {
    "po": "pod",
    "deploy": "deployment",
    "sts": "statefulset",
    "rs": "replicaset",
    "ds": "daemonset",
    "cj": "cronjob",
    "no": "node",
    "pvc": "persistentvolumeclaim",
    "pv": "persistentvolume",
    "sc": "storageclass",
    "svc": "service",
    "ep": "endpoints",
    "endpoint": "endpoints",
    "cm": "configmap",
    "ns": "namespace",
    "ing": "ingress",
    "netpol": "networkpolicy",
    "hpa": "horizontalpodautoscaler",
    "crd": "customresourcedefinition",
}
KNOWN = frozenset(
    {
        "pod",
        "deployment",
        "statefulset",
        "replicaset",
        "daemonset",
        "job",
        "cronjob",
        "node",
        "persistentvolumeclaim",
        "persistentvolume",
        "storageclass",
        "service",
        "endpoints",
        "configmap",
        "secret",
        "namespace",
    }
)
# Controllers of pods, and what owns them in turn.
WORKLOADS = frozenset({"deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob"})


def canonical(kind: str | None) -> str:
    """ "Deployment", "deployments.apps", "deploy" -> "deployment"; an unknown kind comes back lower-cased."""
    text = (kind or "").strip().lower().split(".", 1)[0]
    text = ALIASES.get(text, text)
    if text not in KNOWN and text.endswith("es") and text[:-2] in KNOWN:
        return text[:-2]
    if text not in KNOWN and text.endswith("s") and ALIASES.get(text[:-1], text[:-1]) in KNOWN:
        return ALIASES.get(text[:-1], text[:-1])
    return text

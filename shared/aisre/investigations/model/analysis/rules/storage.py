"""Volumes that keep pods from starting: a claim left Pending (its StorageClass missing, no volume to bind, its
provisioner failing or absent) and volumes that cannot be attached or mounted. The claim finding cites the pod's
event, the claim's StorageClass line and event, and the storage classes the cluster has."""

from __future__ import annotations

import re

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.analysis.rules.objects import (
    cite,
    claims,
    described,
    nodes,
    pending_pods,
    pods,
    storage_classes,
    volumes,
)
from aisre.investigations.model.analysis.text import find, quote, quotes
from aisre.investigations.model.evidence import Evidence
from aisre.investigations.model.kubectl.pods import PodFacts
from aisre.investigations.model.kubectl.storage import ClaimFacts, StorageClassRow

_UNBOUND_EVENT = re.compile(r"unbound immediate PersistentVolumeClaims|pod has unbound", re.IGNORECASE)
_CLASS_MISSING = re.compile(r'storageclass(?:\.storage\.k8s\.io)? \\?"([^"\\]+)\\?" not found', re.IGNORECASE)
_NO_VOLUME = re.compile(r"no persistent volumes available for this claim", re.IGNORECASE)
_EXTERNAL = re.compile(r"external provisioner ['\"]([^'\"]+)['\"]", re.IGNORECASE)
_PROVISIONING_FAILED = re.compile(r"\bProvisioningFailed\b\s+\S+.*?\s{2,}\S+\s{2,}(.+)$")
_FIRST_CONSUMER = re.compile(r"waiting for first consumer", re.IGNORECASE)


def unbound_claim(evidence: Evidence) -> Finding | None:
    all_pods = pods(evidence)
    pending = [claim for claim in claims(evidence).values() if claim.pending]
    # The claims a pending pod waits on first: they are why the alert fired.
    pending.sort(key=lambda claim: _waiting_pod(claim, all_pods) is None)
    for claim in pending:
        pod = _waiting_pod(claim, all_pods)
        explained = _why_pending(evidence, claim)
        if explained is None:
            continue
        why, confidence, tips, extra = explained
        lines = []
        if pod is not None:
            event = next((e for e in pod.events if _UNBOUND_EVENT.search(e)), None)
            lines += [quote(event)] if event else []
            lines.append(cite("Pod", pod.name, f"ClaimName: {claim.name}", pod.namespace))
        lines.append(
            cite("PersistentVolumeClaim", claim.name, f"{claim.storage_class_line}, Status: Pending", claim.namespace)
        )
        lines += extra
        effect = f", so pod `{pod.name}` that mounts it cannot be scheduled (Pending)" if pod is not None else ""
        return Finding(
            rule="unbound_claim",
            root_cause=f"The PersistentVolumeClaim `{claim.name}` is misconfigured and stays Pending: {why}{effect}.",
            evidence_lines=tuple(dict.fromkeys(lines)),
            confidence=confidence,
            suggestions=tips,
        )
    return None


def _waiting_pod(claim: ClaimFacts, all_pods: list[PodFacts]) -> PodFacts | None:
    return next((pod for pod in all_pods if claim.name in pod.claims and pod.unscheduled), None)


def _why_pending(evidence: Evidence, claim: ClaimFacts) -> tuple[str, float, tuple[str, ...], list[str]] | None:
    """Why the claim is not bound, with the confidence, next steps and the claim's or cluster's lines."""
    events = claim.events
    where = ("PersistentVolumeClaim", claim.name)
    classes = storage_classes(evidence)
    missing_event = next((e for e in events if _CLASS_MISSING.search(e)), None)
    names = {row.name for row in classes} if classes is not None else None
    if claim.storage_class and (missing_event or (names is not None and claim.storage_class not in names)):
        lines = [cite(*where, missing_event, claim.namespace)] if missing_event else []
        existing = ""
        if classes is not None:
            existing = f" (the cluster has: {_class_names(classes)})"
            lines.append(f"StorageClasses in the cluster: {_class_names(classes)}")
        why = f"its StorageClass `{claim.storage_class}` does not exist{existing}, so no volume can be provisioned"
        tips: tuple[str, ...] = (
            f"Point the claim at an existing StorageClass{existing} (storageClassName cannot be changed on a claim: "
            "delete and recreate it, or fix the workload's volumeClaimTemplate)",
            f"Or create the StorageClass `{claim.storage_class}` with the provisioner the cluster runs",
        )
        return why, 0.96, tips, lines
    external = next((m for e in events if (m := _EXTERNAL.search(e))), None)
    failed = next((m.group(1).strip() for e in events if (m := _PROVISIONING_FAILED.search(e))), None)
    if failed:
        why = f"its StorageClass's provisioner fails to create the volume: {failed}"
        tips = ("Fix what the provisioner reports (its permissions, quotas or parameters), then the claim binds",)
        return why, 0.9, tips, [cite(*where, f"ProvisioningFailed: {failed}", claim.namespace)]
    if not claim.storage_class or any(_NO_VOLUME.search(e) for e in events):
        return _no_volume(evidence, claim)
    if external:
        name = external.group(1)
        why = (
            f"it waits for the external provisioner `{name}` to create its volume, which it has not "
            "(the CSI driver's controller is not running, not installed, or not allowed to create volumes)"
        )
        tips = (f"Check the `{name}` CSI controller pods and their logs (and its cloud permissions)",)
        line = next(e for e in events if _EXTERNAL.search(e))
        return why, 0.8, tips, [cite(*where, line, claim.namespace)]
    if any(_FIRST_CONSUMER.search(e) for e in events):
        return None  # WaitForFirstConsumer: binding waits for a pod to be scheduled, not a fault of its own
    return None


def _no_volume(evidence: Evidence, claim: ClaimFacts) -> tuple[str, float, tuple[str, ...], list[str]]:
    found = volumes(evidence)
    lines = [
        cite("PersistentVolumeClaim", claim.name, event, claim.namespace)
        for event in claim.events
        if _NO_VOLUME.search(event)
    ][:1]
    held = [v for v in found or [] if v.status == "Released" and v.claim == f"{claim.namespace}/{claim.name}"]
    if held:
        # Static provisioning's trap: the volume made for this claim still carries the old claim's claimRef.
        volume = held[0]
        lines.append(f"PersistentVolume {volume.name}: STATUS Released, CLAIM {volume.claim}, {volume.capacity}")
        why = (
            f"the PersistentVolume `{volume.name}` made for it is Released: its claimRef still points at the earlier "
            f"claim `{volume.claim}` (deleted and recreated since), so no persistent volume is available to bind it"
        )
        tips = (
            f"Clear the volume's claimRef so it becomes Available again: kubectl patch pv {volume.name} "
            '-p \'{"spec":{"claimRef":null}}\' (its reclaim policy Retain kept the data)',
            "Or create a new PersistentVolume for the claim (static provisioning), or give it a StorageClass",
        )
        return why, 0.94, tips, lines
    if found is None:
        volume_text = "no PersistentVolume matches it"
    else:
        available = [v for v in found if v.status == "Available"]
        shown = ", ".join(
            f"{v.name} ({v.capacity}, {v.access_modes}, class {v.storage_class or '<none>'})" for v in available
        )
        lines.append(f"PersistentVolumes Available: {shown or 'none'}")
        volume_text = (
            f"none of the Available PersistentVolumes ({shown}) matches its size, access modes and class"
            if available
            else "no PersistentVolume is Available to bind it"
        )
    classless = "it names no StorageClass and no default one provisions for it, and " if not claim.storage_class else ""
    tips = (
        "Create a PersistentVolume matching the claim (size, access mode, storageClassName), or",
        "give the claim a StorageClass with a dynamic provisioner (or mark one as the cluster's default)",
    )
    # The claim's own account joined with the volumes ranks above the scheduler's event alone.
    return classless + volume_text, 0.93, tips, lines


def _class_names(classes: list[StorageClassRow]) -> str:
    return ", ".join(f"{c.name} (default)" if c.default else c.name for c in classes) or "none"


_ATTACH = re.compile(
    r'Multi-Attach error for volume "([^"]+)"|AttachVolume\.Attach failed for volume "([^"]+)"'
    r"|Unable to attach or mount volumes|MountVolume\.\w+ failed for volume \"([^\"]+)\"",
    re.IGNORECASE,
)
# ConfigMap and Secret volumes that fail to mount are the config-error rule's.
_CONFIG_VOLUME = re.compile(r"configmap|secret", re.IGNORECASE)


def volume_attach_failure(evidence: Evidence) -> Finding | None:
    hits = [h for h in find(evidence.focused(), _ATTACH) if not _CONFIG_VOLUME.search(h.line)]
    if not hits:
        return None
    first = hits[0]
    volume = next((g for g in first.match.groups() if g), None)
    named = f"volume `{volume}`" if volume else "a volume"
    if "Multi-Attach" in first.line:
        cause = (
            f"The pod cannot start because {named} is still attached to another node: a ReadWriteOnce volume "
            "attaches to one node at a time, and the pod was scheduled elsewhere while the old pod or node held it."
        )
        tips: tuple[str, ...] = (
            "Make sure the previous pod using the claim is gone (a stuck Terminating pod or a lost node holds it)",
            "Use a Recreate rollout strategy for single-replica workloads with a ReadWriteOnce claim",
        )
    else:
        cause = f"The pod cannot start because {named} cannot be attached or mounted on its node."
        tips = ("Read the attach/mount error: the CSI driver's node plugin, the cloud volume's zone and limits",)
    return Finding(
        rule="volume_attach_failure",
        root_cause=cause,
        evidence_lines=quotes(hits),
        confidence=0.85,
        suggestions=tips,
    )


_VOLUME_AFFINITY_EVENT = re.compile(r"volume node affinity conflict", re.IGNORECASE)
_TERM = re.compile(r"^\s*Term \d+:\s+(\S+) in \[([^\]]*)\]", re.MULTILINE)
# The labels that say a node's zone, whatever the cloud's CSI driver calls its own topology key.
_ZONE_KEY = re.compile(r"(?:^|/)zone$")


def volume_zone_conflict(evidence: Evidence) -> Finding | None:
    """A pending pod's bound volume is pinned (by its node affinity) to a zone no node is in."""
    labelled = [node for node in nodes(evidence).values() if node.labels]
    volume_terms = {item.name: _TERM.findall(item.result.text) for item in described(evidence, "persistentvolume")}
    for pod in pending_pods(evidence):
        event = next((e for e in pod.events if _VOLUME_AFFINITY_EVENT.search(e)), None)
        if event is None or not labelled:
            continue
        for claim in (claims(evidence).get(name) for name in pod.claims):
            terms = volume_terms.get(claim.volume, []) if claim is not None and claim.volume else []
            for key, values in terms:
                wanted = {v.strip() for v in values.split(",") if v.strip()}
                zones = {_zone(node.labels, key) for node in labelled} - {None}
                if not wanted or not zones or wanted & zones:
                    continue
                assert claim is not None
                have = ", ".join(sorted(z for z in zones if z))
                pinned = ", ".join(sorted(wanted))
                return Finding(
                    rule="volume_zone_conflict",
                    root_cause=(
                        f"Pod `{pod.name}` stays Pending: its volume `{claim.volume}` (claim `{claim.name}`) is pinned "
                        f"to zone {pinned} by its node affinity, and no node is in that zone (the nodes are in "
                        f"{have}), so the scheduler finds a volume node affinity conflict on every node."
                    ),
                    evidence_lines=(
                        quote(event),
                        cite("PersistentVolume", claim.volume, f"Node Affinity: {key} in [{values}]"),
                        *(cite("Node", n.name, f"zone {_zone(n.labels, key)}") for n in labelled[:4]),
                    ),
                    confidence=0.95,
                    suggestions=(
                        f"Add a node in {pinned} (scale the node group of that zone up, or let the autoscaler "
                        "create one there)",
                        "Or move the data: snapshot the volume and restore it in a zone with nodes, then rebind "
                        "the claim",
                    ),
                )
    return None


def _zone(labels: dict[str, str], key: str) -> str | None:
    if key in labels:
        return labels[key]
    return next((value for name, value in labels.items() if _ZONE_KEY.search(name)), None)

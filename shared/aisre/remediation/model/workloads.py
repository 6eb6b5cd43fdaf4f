"""What the catalog's actions write to a cluster, and how their effect is judged, as kubectl does it: pure
functions over the API server's JSON (dicts), so the requests and the rules are testable without a cluster.

- restart_pod: DELETE the pod with kubectl's DeleteOptions (background propagation); its controller recreates it.
- scale_deployment: PATCH the scale subresource with the merge patch `kubectl scale` sends.
- rollback_deployment: `kubectl rollout undo` (k8s.io/kubectl polymorphichelpers/rollback.go): the previous
  revision's ReplicaSet (or the one named), its pod template without the pod-template-hash label and its
  annotations, as a JSON patch replacing /spec/template and /metadata/annotations.
- Verification: `kubectl rollout status` for deployments; for a deleted pod, a Ready replacement.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
POD_TEMPLATE_HASH = "pod-template-hash"
# kubectl keeps these from the deployment rather than copying them from the ReplicaSet it rolls back to.
ANNOTATIONS_TO_SKIP = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION_ANNOTATION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)
PAUSED_MESSAGE = "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"


def field_at(obj: Any, *path: str) -> Any:
    """The value at `path` in the API server's JSON, or None where any part of it is missing."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def name_of(obj: Obj) -> str:
    return str(field_at(obj, "metadata", "name") or "")


def uid_of(obj: Obj) -> str:
    return str(field_at(obj, "metadata", "uid") or "")


def controller_of(obj: Obj) -> Obj | None:
    """The owner reference that controls `obj` (its ReplicaSet, StatefulSet, Job...), if any."""
    for reference in field_at(obj, "metadata", "ownerReferences") or []:
        if isinstance(reference, dict) and reference.get("controller"):
            return reference
    return None


def controlled_by(obj: Obj, owner_uid: str) -> bool:
    controller = controller_of(obj)
    return controller is not None and bool(owner_uid) and controller.get("uid") == owner_uid


# --- requests ---------------------------------------------------------------------------------------------


def delete_options() -> Obj:
    """The body `kubectl delete pod` sends: its default cascade is background."""
    return {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}


def scale_patch(replicas: int) -> Obj:
    """The merge patch (application/merge-patch+json) `kubectl scale --replicas=N` sends to .../scale."""
    return {"spec": {"replicas": replicas}}


def label_selector(selector: Obj | None) -> str:
    """A LabelSelector as the `labelSelector` query parameter spells it."""
    if not selector:
        return ""
    terms = [f"{key}={value}" for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        if operator == "In":
            terms.append(f"{key} in ({','.join(values)})")
        elif operator == "NotIn":
            terms.append(f"{key} notin ({','.join(values)})")
        elif operator == "Exists":
            terms.append(str(key))
        elif operator == "DoesNotExist":
            terms.append(f"!{key}")
    return ",".join(terms)


def pod_selector(pod: Obj) -> str:
    """Pods made from the same template carry the same labels: the replacement of a pod has all of them."""
    return ",".join(f"{key}={value}" for key, value in sorted((field_at(pod, "metadata", "labels") or {}).items()))


# --- rollback ---------------------------------------------------------------------------------------------


def revision_of(obj: Obj) -> int | None:
    value = (field_at(obj, "metadata", "annotations") or {}).get(REVISION_ANNOTATION)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _without_hash(template: Obj | None) -> Obj:
    found = copy.deepcopy(template or {})
    labels = field_at(found, "metadata", "labels")
    if isinstance(labels, dict):
        labels.pop(POD_TEMPLATE_HASH, None)
    return found


def images_of(template: Obj | None) -> list[str]:
    containers = field_at(template, "spec", "containers") or []
    return [str(container.get("image")) for container in containers if isinstance(container, dict)]


@dataclass(frozen=True)
class RollbackPlan:
    """What `kubectl rollout undo` would do: patch to `revision`, skip (already there), or refuse (`error`)."""

    revision: int | None = None
    patch: list[Obj] = field(default_factory=list)
    skipped: bool = False
    error: str | None = None
    from_images: list[str] = field(default_factory=list)
    to_images: list[str] = field(default_factory=list)
    template: Obj = field(default_factory=dict)


def plan_rollback(deployment: Obj, replicasets: list[Obj], to_revision: int | None = None) -> RollbackPlan:
    """`replicasets` as listed by the deployment's selector; those it does not control are left out here."""
    name = name_of(deployment)
    if (field_at(deployment, "spec", "paused")) is True:
        return RollbackPlan(error=PAUSED_MESSAGE)
    owned = [rs for rs in replicasets if controlled_by(rs, uid_of(deployment))]
    chosen: Obj | None = None
    if to_revision:
        chosen = next((rs for rs in owned if revision_of(rs) == to_revision), None)
        if chosen is None:
            return RollbackPlan(error=f"unable to find specified revision {to_revision} in history")
    else:
        # The second newest revision, as kubectl counts: the newest is the one running now.
        ranked = sorted((rs for rs in owned if revision_of(rs) is not None), key=lambda rs: revision_of(rs) or 0)
        if len(ranked) < 2:
            return RollbackPlan(error=f'no rollout history found for deployment "{name}"')
        chosen = ranked[-2]
    revision = revision_of(chosen)
    current = field_at(deployment, "spec", "template")
    target = _without_hash(field_at(chosen, "spec", "template"))
    from_images, to_images = images_of(current), images_of(target)
    if _without_hash(current) == target:
        return RollbackPlan(
            revision=revision, skipped=True, template=target, from_images=from_images, to_images=to_images
        )
    deployment_annotations = field_at(deployment, "metadata", "annotations") or {}
    annotations = {key: value for key, value in deployment_annotations.items() if key in ANNOTATIONS_TO_SKIP}
    for key, value in (field_at(chosen, "metadata", "annotations") or {}).items():
        if key not in ANNOTATIONS_TO_SKIP:
            annotations[key] = value
    patch = [
        {"op": "replace", "path": "/spec/template", "value": target},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]
    return RollbackPlan(revision=revision, patch=patch, template=target, from_images=from_images, to_images=to_images)


def skipped_message(revision: int | None) -> str:
    return f"skipped rollback (current template already matches revision {revision})"


# --- verification -----------------------------------------------------------------------------------------


def rollout_status(deployment: Obj) -> tuple[bool, str]:
    """`kubectl rollout status deployment/<name>`: done, and what it says."""
    name = name_of(deployment)
    generation = field_at(deployment, "metadata", "generation") or 0
    status = field_at(deployment, "status") or {}
    if generation > (status.get("observedGeneration") or 0):
        return False, "Waiting for deployment spec update to be observed..."
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
            return False, f'deployment "{name}" exceeded its progress deadline'
    replicas = field_at(deployment, "spec", "replicas")
    replicas = 1 if replicas is None else replicas
    updated = status.get("updatedReplicas") or 0
    current = status.get("replicas") or 0
    available = status.get("availableReplicas") or 0
    if updated < replicas:
        return False, f"Waiting for rollout to finish: {updated} out of {replicas} new replicas have been updated..."
    if current > updated:
        return False, f"Waiting for rollout to finish: {current - updated} old replicas are pending termination..."
    if available < updated:
        return False, f"Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
    return True, f'deployment "{name}" successfully rolled out ({available}/{replicas} available)'


def pod_ready(pod: Obj) -> bool:
    return any(
        condition.get("type") == "Ready" and condition.get("status") == "True"
        for condition in field_at(pod, "status", "conditions") or []
    )


def pod_state(pod: Obj) -> str:
    """A pod's state in a few words, as `kubectl get pod` shows it."""
    if field_at(pod, "metadata", "deletionTimestamp"):
        return "Terminating"
    for status in field_at(pod, "status", "containerStatuses") or []:
        waiting = field_at(status, "state", "waiting")
        if waiting and waiting.get("reason"):
            return str(waiting["reason"])
    phase = field_at(pod, "status", "phase") or "Unknown"
    return f"{phase}, ready" if pod_ready(pod) else str(phase)


def replacement_status(old: Obj, known_uids: frozenset[str], pods: list[Obj]) -> tuple[bool, str]:
    """Whether `old` has a Ready replacement among `pods`: a pod of the same controller that was not there when
    `old` was deleted (`known_uids`: the uids of its controller's pods then, `old`'s included), not terminating.
    A StatefulSet's replacement has the old name and a new uid."""
    owner = controller_of(old)
    if owner is None:
        return False, f"pod {name_of(old)} had no controller: nothing recreates it"
    candidates = [
        pod
        for pod in pods
        if controlled_by(pod, str(owner.get("uid") or ""))
        and uid_of(pod) not in known_uids
        and uid_of(pod) != uid_of(old)
        and not field_at(pod, "metadata", "deletionTimestamp")
    ]
    ready = [pod for pod in candidates if pod_ready(pod)]
    kind, owner_name = owner.get("kind"), owner.get("name")
    if ready:
        return True, f"replacement pod {name_of(ready[0])} of {kind} {owner_name} is Ready"
    if candidates:
        seen = ", ".join(f"{name_of(pod)} {pod_state(pod)}" for pod in candidates[:3])
        return False, f"replacement not Ready yet ({seen})"
    return False, f"no replacement pod of {kind} {owner_name} yet"

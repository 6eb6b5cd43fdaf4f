"""What the read steps report of a pod and a deployment, and whether a deployment counts as recovered: small,
bounded summaries (they are the steps' outputs in the run's status), read from the API server's own JSON."""

from __future__ import annotations

from typing import Any

from aisre.remediation.model.workloads import controller_of, label_selector, name_of, pod_state, rollout_status

Obj = dict[str, Any]

# Container states that mean a pod has not recovered, whatever its rollout says.
UNHEALTHY_WAITING = frozenset({"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"})
MAX_CONTAINERS = 10
MAX_PODS = 20


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _container(status: Obj, spec: Obj | None) -> Obj:
    waiting = _get(status, "state", "waiting") or {}
    running = _get(status, "state", "running")
    terminated = _get(status, "state", "terminated") or {}
    last = _get(status, "lastState", "terminated") or {}
    if waiting:
        state = str(waiting.get("reason") or "Waiting")
    elif running is not None:
        state = "Running"
    else:
        state = str(terminated.get("reason") or ("Terminated" if terminated else "Unknown"))
    found: Obj = {
        "name": status.get("name"),
        "state": state,
        "ready": bool(status.get("ready")),
        "restarts": int(status.get("restartCount") or 0),
    }
    if last:
        found["last_termination"] = {"reason": last.get("reason"), "exit_code": last.get("exitCode")}
    resources = (spec or {}).get("resources") or {}
    memory = {key: value for key, value in (("limit", _get(resources, "limits", "memory")),
                                            ("request", _get(resources, "requests", "memory"))) if value}  # fmt: skip
    if memory:
        found["memory"] = memory
    return found


def _oom(container: Obj) -> bool:
    return container["state"] == "OOMKilled" or (container.get("last_termination") or {}).get("reason") == "OOMKilled"


def pod_summary(pod: Obj) -> Obj:
    """A pod as inspect_pod reports it: phase, node, owner, each container's state, restarts, last termination
    and memory; whether any was OOM-killed or is crash-looping."""
    specs = {str(c.get("name")): c for c in _get(pod, "spec", "containers") or [] if isinstance(c, dict)}
    statuses = [s for s in _get(pod, "status", "containerStatuses") or [] if isinstance(s, dict)]
    containers = [_container(status, specs.get(str(status.get("name")))) for status in statuses[:MAX_CONTAINERS]]
    owner = controller_of(pod)
    return {
        "pod": name_of(pod),
        "namespace": _get(pod, "metadata", "namespace"),
        "phase": _get(pod, "status", "phase"),
        "state": pod_state(pod),
        "node": _get(pod, "spec", "nodeName"),
        "owner": f"{owner.get('kind')}/{owner.get('name')}" if owner else None,
        "containers": containers,
        "oom_killed": any(_oom(container) for container in containers),
        "crash_looping": any(container["state"] == "CrashLoopBackOff" for container in containers),
    }


def deployment_summary(deployment: Obj, pods: list[Obj]) -> Obj:
    """A deployment as inspect_deployment and check_deployment report it: replicas, images, rollout, its pods'
    states; `healthy` when the rollout is complete and no pod is crash-looping, failing to start or OOM-killed
    in its current state."""
    done, rollout = rollout_status(deployment)
    status = _get(deployment, "status") or {}
    images = [
        str(container.get("image"))
        for container in _get(deployment, "spec", "template", "spec", "containers") or []
        if isinstance(container, dict)
    ]
    seen = [pod_summary(pod) for pod in pods[:MAX_PODS] if not _get(pod, "metadata", "deletionTimestamp")]
    failing = [
        f"{pod['pod']} {container['state']}"
        for pod in seen
        for container in pod["containers"]
        if container["state"] in UNHEALTHY_WAITING or container["state"] == "OOMKilled"
    ]
    healthy = done and not failing
    observed = rollout if not failing else f"{rollout}; not recovered: {', '.join(failing[:5])}"
    return {
        "deployment": name_of(deployment),
        "namespace": _get(deployment, "metadata", "namespace"),
        "replicas": {
            "desired": _get(deployment, "spec", "replicas"),
            "updated": status.get("updatedReplicas") or 0,
            "ready": status.get("readyReplicas") or 0,
            "available": status.get("availableReplicas") or 0,
        },
        "images": images,
        "pods": [{"pod": pod["pod"], "state": pod["state"]} for pod in seen],
        "healthy": healthy,
        "observed": observed,
    }


def pods_selector(deployment: Obj) -> str:
    """The label selector of a deployment's pods (its spec.selector)."""
    return label_selector(_get(deployment, "spec", "selector"))

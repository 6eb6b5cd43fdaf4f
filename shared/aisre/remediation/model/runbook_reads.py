"""The reads a runbook step may name (`read: pod_status`): what each needs of the incident, and what it says of
what the cluster answered, in a line or two. Pure: the calls are the actions function's own reads
(WorkloadCluster, the verbs infra/kubernetes/rbac.yaml grants it), made by service/runbook_steps.py.

A step's command stays text for a person; only these named reads are ever run, on the incident's own target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aisre.remediation.model.workloads import (
    field_at,
    images_of,
    name_of,
    pod_ready,
    pod_state,
    revision_of,
    rollout_status,
)

Obj = dict[str, Any]

# Observations are kept on the run's item and the incident's timeline: a few lines, never a whole object.
MAX_OBSERVATION = 1000


@dataclass(frozen=True)
class ReadSpec:
    name: str
    description: str
    # The incident's names it needs (runbooks.placeholder_values' keys); without them the step is skipped.
    needs: tuple[str, ...]
    # What a person would type for the same read (a generated runbook's command).
    command: str


READS: dict[str, ReadSpec] = {
    spec.name: spec
    for spec in (
        ReadSpec(
            "pod_status",
            "The pod's phase, readiness, restarts and each container's last termination",
            ("namespace", "pod"),
            "kubectl get pod {pod} -n {namespace} -o wide",
        ),
        ReadSpec(
            "deployment_status",
            "The deployment's rollout status, replicas, images and containers' resources",
            ("namespace", "deployment"),
            "kubectl rollout status deployment/{deployment} -n {namespace}",
        ),
        ReadSpec(
            "deployment_pods",
            "The deployment's pods and their states",
            ("namespace", "deployment"),
            "kubectl get pods -n {namespace} -l <the deployment's selector>",
        ),
        ReadSpec(
            "rollout_history",
            "The deployment's revisions (its ReplicaSets) and their images",
            ("namespace", "deployment"),
            "kubectl rollout history deployment/{deployment} -n {namespace}",
        ),
    )
}


def bounded(text: str, limit: int = MAX_OBSERVATION) -> str:
    return text if len(text) <= limit else text[: limit - 12] + "…[truncated]"


def _termination(status: Obj) -> str:
    last = field_at(status, "lastState", "terminated")
    if not isinstance(last, dict):
        return ""
    reason = last.get("reason") or "terminated"
    code = last.get("exitCode")
    return f", last terminated {reason}" + (f" (exit {code})" if code is not None else "")


def summarize_pod(pod: Obj) -> str:
    """`kubectl get pod` and the part of `describe` a runbook looks at: state, restarts, last terminations."""
    statuses = [s for s in field_at(pod, "status", "containerStatuses") or [] if isinstance(s, dict)]
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(int(s.get("restartCount") or 0) for s in statuses)
    line = f"pod {name_of(pod)}: {pod_state(pod)}, {ready}/{len(statuses)} ready, {restarts} restarts"
    containers = [f"{s.get('name')}{_termination(s)}" for s in statuses if _termination(s)]
    if containers:
        line += "; " + "; ".join(containers)
    node = field_at(pod, "spec", "nodeName")
    return bounded(line + (f"; on node {node}" if node else ""))


def _resources(template: Obj | None) -> str:
    parts = []
    for container in field_at(template, "spec", "containers") or []:
        if not isinstance(container, dict):
            continue
        limits = field_at(container, "resources", "limits") or {}
        requests = field_at(container, "resources", "requests") or {}
        described = ", ".join(
            f"{kind} {name} {value}"
            for kind, values in (("requests", requests), ("limits", limits))
            for name, value in sorted(values.items())
        )
        parts.append(f"{container.get('name')}: {described or 'no requests or limits'}")
    return "; ".join(parts)


def summarize_deployment(deployment: Obj) -> str:
    done, said = rollout_status(deployment)
    template = field_at(deployment, "spec", "template")
    line = f"{said}; images {', '.join(images_of(template)) or 'none'}"
    resources = _resources(template)
    if resources:
        line += f"; resources {resources}"
    if not done:
        line = "rollout not complete: " + line
    return bounded(line)


def summarize_pods(pods: list[Obj]) -> str:
    if not pods:
        return "no pods"
    ready = sum(1 for pod in pods if pod_ready(pod))
    shown = "; ".join(summarize_pod(pod) for pod in pods[:5])
    more = f"; and {len(pods) - 5} more" if len(pods) > 5 else ""
    return bounded(f"{len(pods)} pods, {ready} ready: {shown}{more}")


def summarize_history(deployment: Obj, replicasets: list[Obj]) -> str:
    current = revision_of(deployment)
    ranked = sorted(
        (rs for rs in replicasets if revision_of(rs) is not None), key=lambda rs: revision_of(rs) or 0, reverse=True
    )
    if not ranked:
        return f'no rollout history found for deployment "{name_of(deployment)}"'
    lines = [
        f"revision {revision_of(rs)}{' (current)' if revision_of(rs) == current else ''}: "
        f"{', '.join(images_of(field_at(rs, 'spec', 'template'))) or 'no images'}"
        for rs in ranked[:5]
    ]
    return bounded("; ".join(lines))

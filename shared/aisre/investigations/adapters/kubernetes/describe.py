"""Compact `kubectl describe` text for pods, workloads, jobs, nodes and PVCs, from API objects and their events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from aisre.investigations.adapters.kubernetes.kinds import Kind, job_status, node_status
from aisre.investigations.adapters.kubernetes.render import Obj, events_table, get, key_values, pod_status, table


def describe(kind: Kind, obj: Obj, events: Sequence[Obj], now: datetime) -> str:
    body = _BODIES.get(kind.name, _generic)(obj, now)
    return "\n".join([*_header(obj), *body, "Events:", _indent(events_table(events, now))])


def _header(obj: Obj) -> list[str]:
    meta = obj.get("metadata") or {}
    lines = [f"Name:           {meta.get('name')}"]
    if meta.get("namespace"):
        lines.append(f"Namespace:      {meta['namespace']}")
    lines.append(f"Labels:         {key_values(meta.get('labels'))}")
    lines.append(f"Created:        {meta.get('creationTimestamp')}")
    owners = meta.get("ownerReferences") or []
    if owners:
        lines.append("Controlled By:  " + ", ".join(f"{o.get('kind')}/{o.get('name')}" for o in owners))
    return lines


def _indent(text: str, by: int = 2) -> str:
    return "\n".join(" " * by + line for line in text.splitlines())


def _conditions(conditions: Sequence[Obj]) -> list[str]:
    if not conditions:
        return []
    rows = [(c.get("type"), c.get("status"), c.get("reason", ""), c.get("message", "")) for c in conditions]
    return ["Conditions:", _indent(table(("Type", "Status", "Reason", "Message"), rows))]


def _state(label: str, state: Obj | None) -> list[str]:
    """One container state ("State:" or "Last State:") with its reason, exit code and times."""
    if not state:
        return [f"    {label:<15} <none>"] if label == "State:" else []
    name, detail = next(iter(state.items()))
    lines = [f"    {label:<15} {name.capitalize()}"]
    for key, title in (
        ("reason", "Reason"),
        ("exitCode", "Exit Code"),
        ("signal", "Signal"),
        ("message", "Message"),
        ("startedAt", "Started"),
        ("finishedAt", "Finished"),
    ):
        if (detail or {}).get(key) not in (None, ""):
            lines.append(f"      {title + ':':<13} {' '.join(str(detail[key]).split())}")
    return lines


def _resources(resources: Obj | None) -> list[str]:
    lines = []
    for key, title in (("limits", "Limits"), ("requests", "Requests")):
        values = (resources or {}).get(key) or {}
        if values:
            lines.append(f"    {title}:")
            lines.extend(f"      {name}: {value}" for name, value in values.items())
    return lines


def _containers(title: str, specs: Sequence[Obj], statuses: Sequence[Obj]) -> list[str]:
    if not specs:
        return []
    by_name = {s.get("name"): s for s in statuses}
    lines = [f"{title}:"]
    for spec in specs:
        status = by_name.get(spec.get("name"), {})
        lines.append(f"  {spec.get('name')}:")
        lines.append(f"    Image:          {spec.get('image')}")
        if spec.get("command") or spec.get("args"):
            lines.append(f"    Command:        {' '.join([*spec.get('command', []), *spec.get('args', [])])}")
        if status:  # a template's containers have no status: no state to show
            lines.extend(_state("State:", status.get("state")))
            lines.extend(_state("Last State:", status.get("lastState")))
            lines.append(f"    Ready:          {status.get('ready')}")
            lines.append(f"    Restart Count:  {status.get('restartCount', 0)}")
        lines.extend(_resources(spec.get("resources")))
        # Environment variables are not shown: their values are often credentials, and this text reaches prompts.
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if spec.get(probe):
                lines.append(f"    {probe[:-5].capitalize() + ':':<15} {_probe(spec[probe])}")
    return lines


def _probe(probe: Obj) -> str:
    how = next((k for k in ("httpGet", "tcpSocket", "exec", "grpc") if k in probe), "probe")
    target = probe.get(how) or {}
    where = (
        f"{target.get('path', '')}:{target.get('port', '')}" if how != "exec" else " ".join(target.get("command", []))
    )
    timing = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold")
    return f"{how} {where} " + " ".join(f"{t.removesuffix('Seconds')}={probe[t]}" for t in timing if t in probe)


def _pod(pod: Obj, now: datetime) -> list[str]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    lines = [
        f"Node:           {spec.get('nodeName', '<none>')}/{status.get('hostIP', '')}",
        f"Start Time:     {status.get('startTime')}",
        f"Status:         {pod_status(pod)}",
        f"Phase:          {status.get('phase')}",
    ]
    if status.get("reason") or status.get("message"):
        lines.append(f"Reason:         {status.get('reason', '')} {status.get('message', '')}".rstrip())
    lines.append(f"IP:             {status.get('podIP', '')}")
    lines.extend(
        _containers("Init Containers", spec.get("initContainers") or [], status.get("initContainerStatuses") or [])
    )
    lines.extend(_containers("Containers", spec.get("containers") or [], status.get("containerStatuses") or []))
    lines.extend(_conditions(status.get("conditions") or []))
    volumes = [f"  {v.get('name')}: {next((k for k in v if k != 'name'), '')}" for v in spec.get("volumes") or []]
    if volumes:
        lines.extend(["Volumes:", *volumes])
    if spec.get("nodeSelector"):
        lines.append(f"Node-Selectors: {key_values(spec['nodeSelector'])}")
    return lines


def _template(template_spec: Obj) -> list[str]:
    containers = _containers("Containers", template_spec.get("containers") or [], [])
    return ["Pod Template:", *("  " + line for line in containers)]


def _deployment(obj: Obj, now: datetime) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    replicas = (
        f"{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
        f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
        f"{status.get('unavailableReplicas', 0)} unavailable"
    )
    lines = [
        f"Selector:       {key_values(get(spec, 'selector', 'matchLabels'))}",
        f"Replicas:       {replicas}",
        f"Strategy:       {get(spec, 'strategy', 'type', default='RollingUpdate')}",
        f"Generation:     {get(obj, 'metadata', 'generation')} (observed {status.get('observedGeneration')})",
    ]
    lines.extend(_template(get(spec, "template", "spec", default={})))
    lines.extend(_conditions(status.get("conditions") or []))
    return lines


def _job(obj: Obj, now: datetime) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    lines = [
        f"Status:         {job_status(obj)}",
        f"Parallelism:    {spec.get('parallelism', 1)}",
        f"Completions:    {spec.get('completions', 1)}",
        f"Backoff Limit:  {spec.get('backoffLimit', 6)}",
        f"Start Time:     {status.get('startTime')}",
        f"Completed At:   {status.get('completionTime', '<none>')}",
        f"Pods Statuses:  {status.get('active', 0)} Active / {status.get('succeeded', 0)} Succeeded / "
        f"{status.get('failed', 0)} Failed",
    ]
    if spec.get("activeDeadlineSeconds"):
        lines.append(f"Active Deadline Seconds: {spec['activeDeadlineSeconds']}s")
    lines.extend(_template(get(spec, "template", "spec", default={})))
    lines.extend(_conditions(status.get("conditions") or []))
    return lines


def _node(node: Obj, now: datetime) -> list[str]:
    spec, status = node.get("spec") or {}, node.get("status") or {}
    taints = [f"{t.get('key')}={t.get('value', '')}:{t.get('effect')}" for t in spec.get("taints") or []]
    lines = [
        f"Status:         {node_status(node)}",
        f"Taints:         {', '.join(taints) or '<none>'}",
        f"Unschedulable:  {spec.get('unschedulable', False)}",
        "Addresses:      " + ", ".join(f"{a.get('type')}={a.get('address')}" for a in status.get("addresses") or []),
    ]
    lines.extend(_conditions(status.get("conditions") or []))
    for key, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        lines.append(f"{title}:")
        lines.extend(f"  {name}: {value}" for name, value in (status.get(key) or {}).items())
    info = status.get("nodeInfo") or {}
    lines.append(f"Kubelet Version: {info.get('kubeletVersion')}  OS Image: {info.get('osImage')}")
    return lines


def _pvc(obj: Obj, now: datetime) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        f"StorageClass:   {spec.get('storageClassName', '')}",
        f"Status:         {status.get('phase')}",
        f"Volume:         {spec.get('volumeName', '')}",
        f"Capacity:       {get(status, 'capacity', 'storage', default='')}",
        f"Requested:      {get(spec, 'resources', 'requests', 'storage', default='')}",
        f"Access Modes:   {','.join(spec.get('accessModes') or [])}",
        *_conditions(status.get("conditions") or []),
    ]


def _generic(obj: Obj, now: datetime) -> list[str]:
    status = obj.get("status") or {}
    lines = [f"Spec:           {_compact(obj.get('spec'))}"] if obj.get("spec") else []
    plain = {k: v for k, v in status.items() if k != "conditions"}
    if plain:
        lines.append(f"Status:         {_compact(plain)}")
    lines.extend(_conditions(status.get("conditions") or []))
    return lines


def _compact(value: Any, budget: int = 1500) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= budget else text[:budget] + " ..."


_BODIES: dict[str, Callable[[Obj, datetime], list[str]]] = {
    "Pod": _pod,
    "Deployment": _deployment,
    "StatefulSet": _deployment,
    "ReplicaSet": _deployment,
    "DaemonSet": _deployment,
    "Job": _job,
    "Node": _node,
    "PersistentVolumeClaim": _pvc,
}

"""Compact `kubectl describe` text from API objects, their events and what else kubectl reads for the kind (a
node's pods, a claim's users, a service's endpoints): pods and workloads here, storage, nodes and the rest in
describe_infra."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from aisre.investigations.adapters.kubernetes import describe_infra as infra
from aisre.investigations.adapters.kubernetes.describe_infra import Related, conditions, indent
from aisre.investigations.adapters.kubernetes.kinds import Kind
from aisre.investigations.adapters.kubernetes.render import Obj, events_table, get, key_values, pod_status
from aisre.investigations.adapters.kubernetes.rows import job_status

Body = Callable[[Obj, datetime, Related], list[str]]


def describe(kind: Kind, obj: Obj, events: Sequence[Obj], now: datetime, related: Related | None = None) -> str:
    body = _BODIES.get(kind.name, infra.generic)(obj, now, related or {})
    return "\n".join([*_header(obj), *body, "Events:", indent(events_table(events, now))])


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


def _pod(pod: Obj, now: datetime, related: Related) -> list[str]:
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
    lines.extend(conditions(status.get("conditions") or []))
    volumes = [f"  {_volume(v)}" for v in spec.get("volumes") or []]
    if volumes:
        lines.extend(["Volumes:", *volumes])
    if spec.get("nodeSelector"):
        lines.append(f"Node-Selectors: {key_values(spec['nodeSelector'])}")
    return lines


def _volume(volume: Obj) -> str:
    """`data: persistentVolumeClaim (claim data-db-0)`: the source's kind and what it names (never its content)."""
    kind = next((k for k in volume if k != "name"), "")
    source = volume.get(kind) or {}
    named = (
        source.get("claimName") or source.get("name") or source.get("secretName") if isinstance(source, dict) else None
    )
    return f"{volume.get('name')}: {kind}" + (f" ({named})" if named else "")


def _template(template_spec: Obj) -> list[str]:
    containers = _containers("Containers", template_spec.get("containers") or [], [])
    volumes = [f"  {_volume(v)}" for v in template_spec.get("volumes") or []]
    lines = ["Pod Template:", *("  " + line for line in containers)]
    return [*lines, "  Volumes:", *("  " + v for v in volumes)] if volumes else lines


def _deployment(obj: Obj, now: datetime, related: Related) -> list[str]:
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
    lines.extend(conditions(status.get("conditions") or []))
    return lines


def _pods_status(pods: Sequence[Obj]) -> str:
    """kubectl's "Pods Status": 2 Running / 1 Waiting / 0 Succeeded / 0 Failed."""
    phases = [get(p, "status", "phase", default="Pending") for p in pods]
    counts = {phase: phases.count(phase) for phase in ("Running", "Pending", "Succeeded", "Failed")}
    return (
        f"{counts['Running']} Running / {counts['Pending']} Waiting / {counts['Succeeded']} Succeeded / "
        f"{counts['Failed']} Failed"
    )


def _statefulset(obj: Obj, now: datetime, related: Related) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    lines = [
        f"Selector:       {key_values(get(spec, 'selector', 'matchLabels'))}",
        f"Replicas:       {spec.get('replicas', 1)} desired | {status.get('replicas', 0)} total",
        f"Ready:          {status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        f"Update Strategy: {strategy.get('type', 'RollingUpdate')}",
    ]
    partition = get(strategy, "rollingUpdate", "partition")
    if partition is not None:
        lines.append(f"  Partition:    {partition}")
    if status.get("currentRevision") != status.get("updateRevision"):
        lines.append(
            f"Revisions:      current {status.get('currentRevision')}, updating to {status.get('updateRevision')}"
        )
    lines.append(f"Pod Management Policy: {spec.get('podManagementPolicy', 'OrderedReady')}")
    lines.append(f"Service Name:   {spec.get('serviceName', '<none>')}")
    if "pods" in related:
        lines.append(f"Pods Status:    {_pods_status(related['pods'])}")
    lines.extend(infra.related_error(related))
    lines.extend(_template(get(spec, "template", "spec", default={})))
    claims = spec.get("volumeClaimTemplates") or []
    lines.append("Volume Claims:" + ("" if claims else "  <none>"))
    for claim in claims:
        claim_spec = claim.get("spec") or {}
        lines.extend(
            [
                f"  Name:          {get(claim, 'metadata', 'name')}",
                f"  StorageClass:  {claim_spec.get('storageClassName', '')}",
                f"  Capacity:      {get(claim_spec, 'resources', 'requests', 'storage', default='')}",
                f"  Access Modes:  {infra.modes(claim_spec.get('accessModes'))}",
            ]
        )
    lines.extend(conditions(status.get("conditions") or []))
    return lines


def _job_spec(spec: Obj) -> list[str]:
    return [
        f"Parallelism:    {spec.get('parallelism', 1)}",
        f"Completions:    {spec.get('completions', 1)}",
        f"Backoff Limit:  {spec.get('backoffLimit', 6)}",
    ]


def _job(obj: Obj, now: datetime, related: Related) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    lines = [
        f"Status:         {job_status(obj)}",
        *_job_spec(spec),
        f"Start Time:     {status.get('startTime')}",
        f"Completed At:   {status.get('completionTime', '<none>')}",
        f"Pods Statuses:  {status.get('active', 0)} Active / {status.get('succeeded', 0)} Succeeded / "
        f"{status.get('failed', 0)} Failed",
    ]
    if spec.get("activeDeadlineSeconds"):
        lines.append(f"Active Deadline Seconds: {spec['activeDeadlineSeconds']}s")
    if spec.get("suspend"):
        lines.append("Suspend:        true")
    lines.extend(_template(get(spec, "template", "spec", default={})))
    lines.extend(conditions(status.get("conditions") or []))
    return lines


def _cronjob(obj: Obj, now: datetime, related: Related) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    job_spec = get(spec, "jobTemplate", "spec", default={})
    active = [f"{a.get('name')}" for a in status.get("active") or []]
    lines = [
        f"Schedule:                      {spec.get('schedule')}",
        f"Time Zone:                     {spec.get('timeZone', '<unset>')}",
        f"Concurrency Policy:            {spec.get('concurrencyPolicy', 'Allow')}",
        f"Suspend:                       {spec.get('suspend', False)}",
        f"Successful Job History Limit:  {spec.get('successfulJobsHistoryLimit', 3)}",
        f"Failed Job History Limit:      {spec.get('failedJobsHistoryLimit', 1)}",
        f"Starting Deadline Seconds:     {spec.get('startingDeadlineSeconds', '<unset>')}",
        *_job_spec(job_spec),
    ]
    lines.extend(_template(get(job_spec, "template", "spec", default={})))
    lines.append(f"Last Schedule Time:  {status.get('lastScheduleTime', '<none>')}")
    lines.append(f"Last Successful Time: {status.get('lastSuccessfulTime', '<none>')}")
    lines.append(f"Active Jobs:         {', '.join(active) or '<none>'}")
    return lines


_BODIES: Mapping[str, Body] = {
    "Pod": _pod,
    "Deployment": _deployment,
    "StatefulSet": _statefulset,
    "ReplicaSet": _deployment,
    "DaemonSet": _deployment,
    "Job": _job,
    "CronJob": _cronjob,
    **infra.BODIES,
}

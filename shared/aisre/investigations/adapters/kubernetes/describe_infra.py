"""`kubectl describe` bodies for what is not a workload: nodes (allocatable, what their pods request, taints),
storage (claims, volumes, classes), services and endpoints, config maps (keys only) and custom resource
definitions, and any other kind (its spec and status, compacted).

`related` holds what kubectl reads besides the object: "pods" (a node's pods, a claim's namespace's pods, a stateful
set's pods), "endpoints" (a service's), and "error" when that read was refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from aisre.investigations.adapters.kubernetes.render import (
    Obj,
    age,
    get,
    key_values,
    mebibytes,
    quantity,
    table,
)
from aisre.investigations.adapters.kubernetes.rows import (
    access_modes,
    endpoint_addresses,
    is_default_class,
    node_roles,
    node_status,
)

Related = Mapping[str, Any]

# Volume sources a PersistentVolume may name, with kubectl's description of each.
_SOURCES = {
    "csi": "CSI (a Container Storage Interface (CSI) volume source)",
    "hostPath": "HostPath (bare host directory volume)",
    "local": "LocalVolume (a persistent volume backed by local storage on a node)",
    "nfs": "NFS (an NFS mount that lasts the lifetime of a pod)",
    "awsElasticBlockStore": "AWSElasticBlockStore (a Persistent Disk resource in AWS)",
    "gcePersistentDisk": "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)",
    "azureDisk": "AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)",
    "iscsi": "ISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine)",
    "fc": "FC (a Fibre Channel disk)",
    "cephfs": "CephFS (a CephFS mount on the host that shares a pod's lifetime)",
    "rbd": "RBD (a Rados Block Device mount on the host that shares a pod's lifetime)",
}


def indent(text: str, by: int = 2) -> str:
    return "\n".join(" " * by + line for line in text.splitlines())


def conditions(found: Sequence[Obj]) -> list[str]:
    if not found:
        return []
    rows = [(c.get("type"), c.get("status"), c.get("reason", ""), c.get("message", "")) for c in found]
    return ["Conditions:", indent(table(("Type", "Status", "Reason", "Message"), rows))]


def modes(found: Sequence[str] | None) -> str:
    return access_modes(found) or "<none>"


def related_error(related: Related) -> list[str]:
    return [f"(not shown: {related['error']})"] if related.get("error") else []


# --- nodes ---------------------------------------------------------------------------------------------------------


def _taint(taint: Obj) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


def pod_requests(pod: Obj) -> dict[str, dict[str, Decimal]]:
    """{"requests"|"limits": {resource: amount}} of a pod, as the scheduler counts it: its containers' sum, or its
    largest init container where that is more."""
    totals: dict[str, dict[str, Decimal]] = {"requests": {}, "limits": {}}
    spec = pod.get("spec") or {}
    for key, found in totals.items():
        for container in spec.get("containers") or []:
            for resource, amount in (get(container, "resources", key, default={}) or {}).items():
                found[resource] = found.get(resource, Decimal(0)) + quantity(amount)
        for container in spec.get("initContainers") or []:
            for resource, amount in (get(container, "resources", key, default={}) or {}).items():
                found[resource] = max(found.get(resource, Decimal(0)), quantity(amount))
    return totals


def _amount(resource: str, value: Decimal) -> str:
    if resource == "cpu":
        millis = int(value * 1000)
        return str(millis // 1000) if millis and millis % 1000 == 0 else f"{millis}m"
    if resource in ("memory", "ephemeral-storage"):
        return mebibytes(str(value)) if value else "0"
    return str(value.normalize()) if value else "0"


def _share(resource: str, value: Decimal, allocatable: Mapping[str, Any]) -> str:
    total = quantity(allocatable.get(resource))
    percent = int(value * 100 / total) if total else 0
    return f"{_amount(resource, value)} ({percent}%)"


def _node(node: Obj, now: datetime, related: Related) -> list[str]:
    spec, status = node.get("spec") or {}, node.get("status") or {}
    allocatable = status.get("allocatable") or {}
    taints = [_taint(t) for t in spec.get("taints") or []]
    lines = [
        f"Roles:          {node_roles(node)}",
        f"Status:         {node_status(node)}",
        "Taints:         " + ("\n                ".join(taints) if taints else "<none>"),
        f"Unschedulable:  {spec.get('unschedulable', False)}",
        "Addresses:      " + ", ".join(f"{a.get('type')}={a.get('address')}" for a in status.get("addresses") or []),
    ]
    lines.extend(conditions(status.get("conditions") or []))
    for key, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        lines.append(f"{title}:")
        lines.extend(f"  {name}: {value}" for name, value in (status.get(key) or {}).items())
    info = status.get("nodeInfo") or {}
    lines.append(
        f"System Info:    Kubelet {info.get('kubeletVersion')}, OS Image {info.get('osImage')}, "
        f"Kernel {info.get('kernelVersion')}, Runtime {info.get('containerRuntimeVersion')}"
    )
    if spec.get("providerID"):
        lines.append(f"ProviderID:     {spec['providerID']}")
    if "pods" in related:
        lines.extend(_node_pods(related["pods"], allocatable, now))
    lines.extend(related_error(related))
    return lines


def _node_pods(pods: Sequence[Obj], allocatable: Mapping[str, Any], now: datetime) -> list[str]:
    rows = []
    totals: dict[str, dict[str, Decimal]] = {"requests": {}, "limits": {}}
    for pod in pods:
        amounts = pod_requests(pod)
        for key, found in amounts.items():
            for resource, value in found.items():
                totals[key][resource] = totals[key].get(resource, Decimal(0)) + value
        cells = [
            _share(resource, amounts[key].get(resource, Decimal(0)), allocatable)
            for resource in ("cpu", "memory")
            for key in ("requests", "limits")
        ]
        meta = pod.get("metadata") or {}
        rows.append(
            (
                meta.get("namespace"),
                meta.get("name"),
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                age(meta.get("creationTimestamp"), now),
            )
        )
    header = ("Namespace", "Name", "CPU Requests", "CPU Limits", "Memory Requests", "Memory Limits", "Age")
    lines = [f"Non-terminated Pods:  ({len(pods)} in total)"]
    if rows:
        lines.append(indent(table(header, rows)))
    resources = ["cpu", "memory", "ephemeral-storage"]
    resources += sorted({r for found in totals.values() for r in found} - set(resources))
    usage = [
        (
            r,
            _share(r, totals["requests"].get(r, Decimal(0)), allocatable),
            _share(r, totals["limits"].get(r, Decimal(0)), allocatable),
        )
        for r in resources
    ]
    lines.append("Allocated resources:")
    lines.append("  (Total limits may be over 100 percent, i.e., overcommitted.)")
    lines.append(indent(table(("Resource", "Requests", "Limits"), usage)))
    return lines


# --- storage -------------------------------------------------------------------------------------------------------


def _finalizers(obj: Obj) -> str:
    return "[" + ", ".join(get(obj, "metadata", "finalizers", default=[])) + "]"


def _pvc(obj: Obj, now: datetime, related: Related) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    name = get(obj, "metadata", "name")
    users = [
        get(pod, "metadata", "name")
        for pod in related.get("pods") or []
        if any(get(v, "persistentVolumeClaim", "claimName") == name for v in get(pod, "spec", "volumes", default=[]))
    ]
    lines = [
        f"StorageClass:   {spec.get('storageClassName', '')}",
        f"Status:         {status.get('phase')}",
        f"Volume:         {spec.get('volumeName', '')}",
        f"Finalizers:     {_finalizers(obj)}",
        f"Capacity:       {get(status, 'capacity', 'storage', default='')}",
        f"Requested:      {get(spec, 'resources', 'requests', 'storage', default='')}",
        f"Access Modes:   {access_modes(status.get('accessModes') or spec.get('accessModes'))}",
        f"VolumeMode:     {spec.get('volumeMode', 'Filesystem')}",
    ]
    if "pods" in related:
        lines.append(f"Used By:        {', '.join(users) or '<none>'}")
    lines.extend(related_error(related))
    lines.extend(conditions(status.get("conditions") or []))
    return lines


def _pv(obj: Obj, now: datetime, related: Related) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    claim = spec.get("claimRef") or {}
    lines = [
        f"Finalizers:      {_finalizers(obj)}",
        f"StorageClass:    {spec.get('storageClassName', '')}",
        f"Status:          {status.get('phase')}",
        f"Claim:           {claim.get('namespace')}/{claim.get('name')}" if claim.get("name") else "Claim:",
        f"Reclaim Policy:  {spec.get('persistentVolumeReclaimPolicy', 'Retain')}",
        f"Access Modes:    {access_modes(spec.get('accessModes'))}",
        f"VolumeMode:      {spec.get('volumeMode', 'Filesystem')}",
        f"Capacity:        {get(spec, 'capacity', 'storage', default='')}",
    ]
    terms = get(spec, "nodeAffinity", "required", "nodeSelectorTerms", default=[])
    lines.append("Node Affinity:   " + ("" if terms else "<none>"))
    for number, term in enumerate(terms):
        expressions = [
            f"{e.get('key')} {e.get('operator', '').lower()} [{', '.join(e.get('values') or [])}]"
            for e in term.get("matchExpressions") or []
        ]
        lines.append(f"  Term {number}:        {', '.join(expressions)}")
    lines.append(f"Message:         {status.get('message', '')}".rstrip())
    source = next((key for key in spec if key in _SOURCES), None)
    lines.append("Source:")
    if source:
        lines.append(f"    Type:  {_SOURCES[source]}")
        lines.extend(f"    {key}:  {_compact(value, 200)}" for key, value in (spec[source] or {}).items())
    return lines


def _storageclass(obj: Obj, now: datetime, related: Related) -> list[str]:
    return [
        f"IsDefaultClass:        {'Yes' if is_default_class(obj) else 'No'}",
        f"Provisioner:           {obj.get('provisioner')}",
        f"Parameters:            {key_values(obj.get('parameters'))}",
        f"AllowVolumeExpansion:  {obj.get('allowVolumeExpansion', '<unset>')}",
        f"MountOptions:          {', '.join(obj.get('mountOptions') or []) or '<none>'}",
        f"ReclaimPolicy:         {obj.get('reclaimPolicy', 'Delete')}",
        f"VolumeBindingMode:     {obj.get('volumeBindingMode', 'Immediate')}",
    ]


# --- services ------------------------------------------------------------------------------------------------------


def _service(obj: Obj, now: datetime, related: Related) -> list[str]:
    spec = obj.get("spec") or {}
    endpoints = related.get("endpoints") or {}
    lines = [
        f"Selector:          {key_values(spec.get('selector'))}",
        f"Type:              {spec.get('type', 'ClusterIP')}",
        f"IP Families:       {','.join(spec.get('ipFamilies') or []) or '<none>'}",
        f"IP:                {spec.get('clusterIP', '')}",
        f"IPs:               {','.join(spec.get('clusterIPs') or [spec.get('clusterIP', '')])}",
    ]
    ingress = get(obj, "status", "loadBalancer", "ingress", default=[])
    if ingress:
        lines.append("LoadBalancer Ingress: " + ", ".join(i.get("ip") or i.get("hostname") or "" for i in ingress))
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        lines.append(f"Port:              {name}  {port.get('port')}/{port.get('protocol', 'TCP')}")
        lines.append(f"TargetPort:        {port.get('targetPort', port.get('port'))}/{port.get('protocol', 'TCP')}")
        if port.get("nodePort"):
            lines.append(f"NodePort:          {name}  {port['nodePort']}/{port.get('protocol', 'TCP')}")
        if "endpoints" in related:
            ready, not_ready = _endpoints_for(endpoints, port.get("name"))
            lines.append(f"Endpoints:         {','.join(ready) or '<none>'}")
            if not_ready:
                lines.append(f"  (not ready:      {','.join(not_ready)})")
    lines.append(f"Session Affinity:  {spec.get('sessionAffinity', 'None')}")
    if spec.get("externalTrafficPolicy"):
        lines.append(f"External Traffic Policy: {spec['externalTrafficPolicy']}")
    lines.extend(related_error(related))
    return lines


def _endpoints_for(endpoints: Obj, port_name: str | None) -> tuple[list[str], list[str]]:
    ready: list[str] = []
    not_ready: list[str] = []
    for subset in endpoints.get("subsets") or []:
        ports = [p for p in subset.get("ports") or [] if not port_name or p.get("name") == port_name]
        for port in ports or [{}]:
            suffix = f":{port['port']}" if port.get("port") else ""
            ready.extend(f"{a.get('ip')}{suffix}" for a in subset.get("addresses") or [])
            not_ready.extend(f"{a.get('ip')}{suffix}" for a in subset.get("notReadyAddresses") or [])
    return ready, not_ready


def _endpoints(obj: Obj, now: datetime, related: Related) -> list[str]:
    subsets = obj.get("subsets") or []
    if not subsets:
        return ["Subsets:        <none>"]
    lines = ["Subsets:"]
    for subset in subsets:
        addresses = ",".join(a.get("ip", "") for a in subset.get("addresses") or []) or "<none>"
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or []) or "<none>"
        ports = [
            (p.get("name") or "<unset>", p.get("port"), p.get("protocol", "TCP")) for p in subset.get("ports") or []
        ]
        lines.append(f"  Addresses:          {addresses}")
        lines.append(f"  NotReadyAddresses:  {not_ready}")
        lines.append("  Ports:")
        lines.append(indent(table(("Name", "Port", "Protocol"), ports), 4))
    lines.append(f"Endpoints:      {endpoint_addresses(obj, limit=10)}")
    return lines


# --- config and definitions ----------------------------------------------------------------------------------------


def _configmap(obj: Obj, now: datetime, related: Related) -> list[str]:
    """Keys and their sizes, never values: a config map is not a secret, but it often holds credentials someone put
    there, and this text reaches a prompt."""
    lines = ["Data (keys only; values are not shown):"]
    data = obj.get("data") or {}
    lines.extend(f"  {key}: {len(str(value).encode())} bytes" for key, value in data.items())
    if not data:
        lines.append("  <none>")
    binary = obj.get("binaryData") or {}
    if binary:
        lines.append("BinaryData (keys only):")
        lines.extend(f"  {key}: {len(str(value)) * 3 // 4} bytes" for key, value in binary.items())
    return lines


def _crd(obj: Obj, now: datetime, related: Related) -> list[str]:
    spec = obj.get("spec") or {}
    names = spec.get("names") or {}
    versions = [
        (v.get("name"), v.get("served"), v.get("storage"), "deprecated" if v.get("deprecated") else "")
        for v in spec.get("versions") or []
    ]
    lines = [
        f"Group:          {spec.get('group')}",
        f"Kind:           {names.get('kind')}",
        f"Plural:         {names.get('plural')}",
        f"Short Names:    {','.join(names.get('shortNames') or []) or '<none>'}",
        f"Scope:          {spec.get('scope')}",
        "Versions:",
        indent(table(("Name", "Served", "Storage", "Note"), versions)),
    ]
    accepted = get(obj, "status", "acceptedNames", "kind")
    if accepted:
        lines.append(f"Accepted Names: {accepted}")
    lines.extend(conditions(get(obj, "status", "conditions", default=[])))
    return lines


def generic(obj: Obj, now: datetime, related: Related) -> list[str]:
    status = obj.get("status") or {}
    lines = [f"Spec:           {_compact(obj.get('spec'))}"] if obj.get("spec") else []
    plain = {k: v for k, v in status.items() if k != "conditions"}
    if plain:
        lines.append(f"Status:         {_compact(plain)}")
    lines.extend(conditions(status.get("conditions") or []))
    return lines


def _compact(value: Any, budget: int = 1500) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= budget else text[:budget] + " ..."


BODIES: Mapping[str, Callable[[Obj, datetime, Related], list[str]]] = {
    "Node": _node,
    "PersistentVolumeClaim": _pvc,
    "PersistentVolume": _pv,
    "StorageClass": _storageclass,
    "Service": _service,
    "Endpoints": _endpoints,
    "ConfigMap": _configmap,
    "CustomResourceDefinition": _crd,
}

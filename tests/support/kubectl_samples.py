"""kubectl's text, as HolmesGPT's tools print it, for the gatherer's and the analyzer's unit tests; and a small
runner that answers from a table of it. Names are invented; the shapes are kubectl's own."""

# kubectl's lines are as wide as kubectl prints them.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.investigations.model.evidence import ToolResult

NS = "shop"


def pod(
    name: str,
    *,
    status: str = "Running",
    node: str = "worker-1/10.0.1.12",
    owner: str = "",
    state: str = "Running",
    reason: str = "",
    last: str = "",
    restarts: int = 0,
    requests: str = "cpu: 250m;memory: 256Mi",
    claim: str = "",
    config_map: str = "",
    env: str = "",
    selectors: str = "<none>",
    tolerations: str = "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
    scheduled: bool = True,
    events: str = "",
) -> str:
    lines = [
        f"Name:             {name}",
        f"Namespace:        {NS}",
        "Priority:         0",
        "Service Account:  default",
        f"Node:             {node if scheduled else '<none>'}",
        "Labels:           app=checkout",
        "                  pod-template-hash=7d9f8b6c5d",
        "Annotations:      <none>",
        f"Status:           {status}",
        "IP:               10.244.1.7",
    ]
    if owner:
        lines.append(f"Controlled By:    {owner}")
    lines += [
        "Containers:",
        "  app:",
        "    Image:          registry.example/checkout:2.3",
        "    Port:           8080/TCP",
    ]
    lines.append(f"    State:          {state}")
    if reason:
        lines.append(f"      Reason:       {reason}")
    if last:
        lines += ["    Last State:     Terminated", f"      Reason:       {last}", "      Exit Code:    1"]
    lines += ["    Ready:          False", f"    Restart Count:  {restarts}"]
    if requests:
        lines += ["    Requests:", *(f"      {r}" for r in requests.split(";"))]
    if env:
        lines += ["    Environment:", f"      {env}"]
    else:
        lines.append("    Environment:    <none>")
    lines += ["    Mounts:", "      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x1 (ro)"]
    lines += ["Conditions:", "  Type              Status", f"  PodScheduled      {'True' if scheduled else 'False'}"]
    lines.append("Volumes:")
    if claim:
        lines += [
            "  data:",
            "    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
            f"    ClaimName:  {claim}",
            "    ReadOnly:   false",
        ]
    if config_map:
        lines += [
            "  settings:",
            "    Type:      ConfigMap (a volume populated by a ConfigMap)",
            f"    Name:      {config_map}",
            "    Optional:  false",
        ]
    lines += [
        "  kube-api-access-x1:",
        "    Type:                    Projected (a volume that contains injected data from multiple sources)",
        "    ConfigMapName:           kube-root-ca.crt",
        "QoS Class:                   Burstable",
        f"Node-Selectors:              {selectors.split(';')[0]}",
        *(f"                             {s}" for s in selectors.split(";")[1:]),
        f"Tolerations:                 {tolerations.split(';')[0]}",
        *(f"                             {t}" for t in tolerations.split(";")[1:]),
    ]
    lines += _events(events)
    return "\n".join(lines)


def _events(events: str) -> list[str]:
    if not events:
        return ["Events:                      <none>"]
    return [
        "Events:",
        "  Type     Reason            Age   From               Message",
        "  ----     ------            ----  ----               -------",
        *(f"  {e}" for e in events.split(";")),
    ]


def node(
    name: str,
    *,
    labels: str = "",
    taints: str = "<none>",
    cpu: str = "2",
    memory: str = "8025424Ki",
    cpu_requested: str = "1850m (92%)",
    memory_requested: str = "7Gi (91%)",
    events: str = "",
) -> str:
    label_lines = [
        "beta.kubernetes.io/arch=amd64",
        f"kubernetes.io/hostname={name}",
        "kubernetes.io/os=linux",
        *[label for label in labels.split(";") if label],
    ]
    taint_lines = taints.split(";")
    lines = [
        f"Name:               {name}",
        "Roles:              <none>",
        f"Labels:             {label_lines[0]}",
        *(f"                    {label}" for label in label_lines[1:]),
        "Annotations:        node.alpha.kubernetes.io/ttl: 0",
        "CreationTimestamp:  Mon, 01 Jan 2024 10:00:00 +0000",
        f"Taints:             {taint_lines[0]}",
        *(f"                    {t}" for t in taint_lines[1:]),
        "Unschedulable:      false",
        "Conditions:",
        "  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason"
        "                       Message",
        "  ----             ------  -----------------                 ------------------                ------"
        "                       -------",
        "  MemoryPressure   False   Mon, 01 Jan 2024 10:00:00 +0000   Mon, 01 Jan 2024 10:00:00 +0000   "
        "KubeletHasSufficientMemory   kubelet has sufficient memory available",
        "  Ready            True    Mon, 01 Jan 2024 10:00:00 +0000   Mon, 01 Jan 2024 10:00:00 +0000   "
        "KubeletReady                 kubelet is posting ready status",
        "Addresses:",
        "  InternalIP:  10.0.1.12",
        f"  Hostname:    {name}",
        "Capacity:",
        f"  cpu:                {cpu}",
        "  ephemeral-storage:  61202244Ki",
        f"  memory:             {memory}",
        "  pods:               110",
        "Allocatable:",
        f"  cpu:                {cpu}",
        "  ephemeral-storage:  61202244Ki",
        f"  memory:             {memory}",
        "  pods:               110",
        "System Info:",
        "  Kernel Version:             6.1.0",
        "Non-terminated Pods:          (12 in total)",
        "  Namespace                   Name                      CPU Requests  CPU Limits  Memory Requests  "
        "Memory Limits  Age",
        "  ---------                   ----                      ------------  ----------  ---------------  "
        "-------------  ---",
        "  kube-system                 coredns-5d78c9869d-abcde  100m (5%)     0 (0%)      70Mi (0%)        "
        "170Mi (2%)     28d",
        "Allocated resources:",
        "  (Total limits may be over 100 percent, i.e., overcommitted.)",
        "  Resource           Requests     Limits",
        "  --------           --------     ------",
        f"  cpu                {cpu_requested}  2 (100%)",
        f"  memory             {memory_requested}    8Gi (104%)",
        "  ephemeral-storage  0 (0%)       0 (0%)",
    ]
    lines += _events(events)
    return "\n".join(lines)


NODE_LISTING = "\n".join(
    [
        "NAME       STATUS   ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         "
        "KERNEL-VERSION   CONTAINER-RUNTIME     LABELS",
        "cp-1       Ready    control-plane   28d   v1.31.2   10.0.1.2      <none>        Debian GNU/Linux 12 (bookworm)   "
        "6.1.0            containerd://1.7.18   kubernetes.io/hostname=cp-1,node-role.kubernetes.io/control-plane=",
        "worker-1   Ready    <none>          28d   v1.31.2   10.0.1.12     <none>        Debian GNU/Linux 12 (bookworm)   "
        "6.1.0            containerd://1.7.18   disktype=hdd,kubernetes.io/hostname=worker-1",
    ]
)


def claim(
    name: str, *, storage_class: str = "fast-ssd", status: str = "Pending", volume: str = "", events: str = ""
) -> str:
    lines = [
        f"Name:          {name}",
        f"Namespace:     {NS}",
        f"StorageClass:  {storage_class}",
        f"Status:        {status}",
        f"Volume:        {volume}",
        "Labels:        <none>",
        "Finalizers:    [kubernetes.io/pvc-protection]",
        "Capacity:      ",
        "Access Modes:  ",
        "VolumeMode:    Filesystem",
        "Used By:       checkout-7d9f8b6c5d-x2x9z",
    ]
    return "\n".join(lines + _events(events))


STORAGE_CLASSES = "\n".join(
    [
        "NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE",
        "gp3 (default)        ebs.csi.aws.com         Delete          WaitForFirstConsumer   true                   90d",
        "standard             kubernetes.io/aws-ebs   Delete          Immediate              false                  90d",
    ]
)


def listing(header: str, *rows: str) -> str:
    return "\n".join([header, *rows])


POD_HEADER = (
    "NAME                             READY   STATUS             RESTARTS   AGE   IP           NODE       LABELS"
)


def pod_row(name: str, ready: str = "1/1", status: str = "Running", labels: str = "app=checkout") -> str:
    return f"{name:<32} {ready:<7} {status:<18} {'0':<10} {'3h':<5} {'10.244.1.7':<12} {'worker-1':<10} {labels}"


def service(name: str, *, selector: str = "app=checkout", endpoints: str = "<none>") -> str:
    return "\n".join(
        [
            f"Name:              {name}",
            f"Namespace:         {NS}",
            "Labels:            <none>",
            "Annotations:       <none>",
            f"Selector:          {selector}",
            "Type:              ClusterIP",
            "IP Family Policy:  SingleStack",
            "IP:                10.96.120.15",
            "Port:              http  80/TCP",
            "TargetPort:        8080/TCP",
            f"Endpoints:         {endpoints}",
            "Session Affinity:  None",
            "Events:            <none>",
        ]
    )


def deployment(name: str, new_replicaset: str, selector: str = "app=checkout") -> str:
    return "\n".join(
        [
            f"Name:                   {name}",
            f"Namespace:              {NS}",
            f"Selector:               {selector}",
            "Replicas:               2 desired | 2 updated | 2 total | 0 available | 2 unavailable",
            "StrategyType:           RollingUpdate",
            "Conditions:",
            "  Type           Status  Reason",
            "  ----           ------  ------",
            "  Available      False   MinimumReplicasUnavailable",
            "OldReplicaSets:  <none>",
            f"NewReplicaSet:   {new_replicaset} (2/2 replicas created)",
            "Events:",
            "  Type    Reason             Age   From                   Message",
            "  ----    ------             ----  ----                   -------",
            f"  Normal  ScalingReplicaSet  10m   deployment-controller  Scaled up replica set {new_replicaset} to 2",
        ]
    )


def replicaset(name: str, owner: str) -> str:
    return "\n".join(
        [
            f"Name:           {name}",
            f"Namespace:      {NS}",
            "Selector:       app=checkout,pod-template-hash=7d9f8b6c5d",
            f"Controlled By:  Deployment/{owner}",
            "Replicas:       2 current / 2 desired",
            "Events:",
            "  Type    Reason            Age   From                   Message",
            "  ----    ------            ----  ----                   -------",
            f"  Normal  SuccessfulCreate  10m   replicaset-controller  Created pod: {name}-x2x9z",
        ]
    )


def job(name: str, pods: tuple[str, ...], *, owner: str = "", failed: int = 2, limit: int = 1) -> str:
    lines = [
        f"Name:             {name}",
        f"Namespace:        {NS}",
        f"Selector:         batch.kubernetes.io/controller-uid=05cb8b41,job-name={name}",
    ]
    if owner:
        lines.append(f"Controlled By:    {owner}")
    lines += [
        "Parallelism:      1",
        "Completions:      1",
        f"Backoff Limit:    {limit}",
        f"Pods Statuses:    0 Active (0 Ready) / 0 Succeeded / {failed} Failed",
        "Events:",
        "  Type     Reason                Age   From            Message",
        "  ----     ------                ----  ----            -------",
        *(f"  Normal   SuccessfulCreate      16m   job-controller  Created pod: {p}" for p in pods),
        "  Warning  BackoffLimitExceeded  13m   job-controller  Job has reached the specified backoff limit",
    ]
    return "\n".join(lines)


class TableRunner:
    """A ToolRunner answering from {(tool, frozen params): text}; anything else is kubectl's NotFound. Remembers
    every call in order."""

    def __init__(self, answers: Mapping[tuple[str, frozenset[tuple[str, Any]]], str], tools: set[str] | None = None):
        self.answers = dict(answers)
        self.tools = frozenset(tools if tools is not None else {tool for tool, _ in answers} | DEFAULT_TOOLS)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def available_tools(self) -> frozenset[str]:
        return self.tools

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        self.calls.append((tool, dict(params)))
        text = self.answers.get((tool, frozenset(params.items())))
        if text is None:
            name = params.get("name") or params.get("pod_name") or ""
            return ToolResult(tool, dict(params), "error", error=f'Error from server (NotFound): "{name}" not found')
        return ToolResult(tool, dict(params), "success", text=text)

    def called(self, tool: str, **params: Any) -> bool:
        return (tool, params) in self.calls


DEFAULT_TOOLS = frozenset(
    {
        "kubectl_describe",
        "kubectl_get_by_name",
        "kubectl_get_by_kind_in_namespace",
        "kubectl_get_by_kind_in_cluster",
        "kubectl_events",
        "kubectl_lineage_children",
        "kubectl_logs",
        "kubectl_previous_logs",
    }
)


def key(tool: str, **params: Any) -> tuple[str, frozenset[tuple[str, Any]]]:
    return tool, frozenset(params.items())

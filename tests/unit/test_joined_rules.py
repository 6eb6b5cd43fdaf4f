# ruff: noqa: E501  (kubectl output is kept as kubectl prints it)
"""Rules joining hops: a static volume left Released for a recreated claim, a volume pinned to a zone no
node is in, a required node affinity read from a malformed pod YAML, a probe on a port the container does not serve."""

from __future__ import annotations

from aisre.investigations.model.analysis import analyze
from aisre.investigations.model.evidence import Evidence, Issue, Subject, ToolResult
from aisre.investigations.model.kubectl.affinity import required_terms

POD = """Name:             kafka-2
Namespace:        streaming
Status:           Pending
Node:             <none>
Volumes:
  data:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  data-kafka-2
    ReadOnly:   false
Events:
  Type     Reason            Age                  From               Message
  ----     ------            ----                 ----               -------
  Warning  FailedScheduling  3m40s (x9 over 44m)  default-scheduler  0/2 nodes are available: 2 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.
"""
CLAIM = """Name:          data-kafka-2
Namespace:     streaming
StorageClass:  gp3
Status:        Bound
Volume:        pvc-61d3
Events:        <none>
"""
VOLUME = """Name:              pvc-61d3
StorageClass:      gp3
Status:            Bound
Claim:             streaming/data-kafka-2
Node Affinity:
  Required Terms:
    Term 0:        topology.ebs.csi.aws.com/zone in [eu-west-1c]
Events:                <none>
"""
NODES = """NAME      STATUS   ROLES    AGE   VERSION   LABELS
node-a    Ready    <none>   30d   v1.30.2   kubernetes.io/hostname=node-a,topology.kubernetes.io/zone=eu-west-1a
node-b    Ready    <none>   30d   v1.30.2   kubernetes.io/hostname=node-b,topology.kubernetes.io/zone=eu-west-1b
"""


def _describe(kind: str, name: str, text: str, namespace: str | None = "streaming") -> ToolResult:
    return ToolResult("kubectl_describe", {"kind": kind, "name": name, "namespace": namespace}, "success", text)


def _evidence(*results: ToolResult) -> Evidence:
    issue = Issue(title="KubePodNotReady", subject=Subject(kind="pod", name="kafka-2", namespace="streaming"))
    return Evidence(issue, results)


def test_a_volume_pinned_to_a_zone_without_nodes_is_the_cause() -> None:
    nodes = ToolResult("kubectl_get_by_kind_in_cluster", {"kind": "node"}, "success", NODES)
    evidence = _evidence(
        _describe("pod", "kafka-2", POD),
        _describe("persistentvolumeclaim", "data-kafka-2", CLAIM),
        _describe("persistentvolume", "pvc-61d3", VOLUME, None),
        nodes,
    )
    top = analyze(evidence).top
    assert top is not None and top.rule == "volume_zone_conflict"
    assert "pinned to zone eu-west-1c" in top.root_cause and "eu-west-1a, eu-west-1b" in top.root_cause
    in_zone = nodes.text.replace("eu-west-1b", "eu-west-1c")
    near_miss = _evidence(*evidence.results[:3], ToolResult(nodes.tool, nodes.params, "success", in_zone))
    assert all(f.rule != "volume_zone_conflict" for f in analyze(near_miss).findings)


PENDING_CLAIM = """Name:          archive
Namespace:     research
StorageClass:
Status:        Pending
Volume:
Used By:       archive-5f7d9c8b6-wd4km
Events:
  Type    Reason         Age                 From                         Message
  ----    ------         ----                ----                         -------
  Normal  FailedBinding  6s (x125 over 31m)  persistentvolume-controller  no persistent volumes available for this claim and no storage class is set
"""
VOLUMES = """NAME          CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM              STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE    VOLUMEMODE   LABELS
archive-pv    500Gi      RWX            Retain           Released    research/archive                  <unset>                          318d   Filesystem   <none>
scratch-pv    100Gi      RWX            Retain           Available                                     <unset>                          318d   Filesystem   <none>
"""


def test_a_static_volume_released_by_the_claims_earlier_self_is_named() -> None:
    issue = Issue(
        title="claim pending", subject=Subject(kind="persistentvolumeclaim", name="archive", namespace="research")
    )
    listing = ToolResult("kubectl_get_by_kind_in_cluster", {"kind": "persistentvolume"}, "success", VOLUMES)
    claim = ToolResult(
        "kubectl_describe",
        {"kind": "persistentvolumeclaim", "name": "archive", "namespace": "research"},
        "success",
        PENDING_CLAIM,
    )
    top = analyze(Evidence(issue, (claim, listing))).top
    assert top is not None and top.rule == "unbound_claim"
    assert "`archive-pv` made for it is Released" in top.root_cause and "claimRef" in top.root_cause
    other = ToolResult(
        listing.tool, listing.params, "success", VOLUMES.replace("research/archive ", "research/other   ")
    )
    plain = analyze(Evidence(issue, (claim, other))).top
    assert plain is not None and "Released" not in plain.root_cause


def test_required_affinity_is_read_from_a_pod_yaml_that_does_not_parse_whole() -> None:
    text = """apiVersion: v1
kind: Pod
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - key: topology.kubernetes.io/zone
            operator: In
            values:
            - westeurope-3
  containers:
  - name: app
status:
  conditions:
  - message: '0/3 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.'
"""
    terms = required_terms(text)
    assert [(e.key, e.operator, e.values) for e in terms[0]] == [
        ("topology.kubernetes.io/zone", "In", ("westeurope-3",))
    ]


PROBED = """Name:             web-7d9f8b6c5d-x2x9q
Namespace:        shop
Status:           Running
Containers:
  web:
    Image:         shop/web:2.3
    Port:          8080/TCP
    Host Port:     0/TCP
    State:          Waiting
      Reason:       CrashLoopBackOff
    Restart Count:  8
    Liveness:   http-get http://:8081/healthz delay=15s timeout=1s period=10s #success=1 #failure=3
Events:
  Type     Reason     Age                From     Message
  ----     ------     ----               ----     -------
  Warning  Unhealthy  6m (x24 over 26m)  kubelet  Liveness probe failed: Get "http://10.12.3.44:8081/healthz": dial tcp 10.12.3.44:8081: connect: connection refused
"""


def test_a_probe_on_a_port_the_container_does_not_serve_is_named() -> None:
    issue = Issue(title="crash", subject=Subject(kind="pod", name="web-7d9f8b6c5d-x2x9q", namespace="shop"))
    describe = ToolResult(
        "kubectl_describe", {"kind": "pod", "name": "web-7d9f8b6c5d-x2x9q", "namespace": "shop"}, "success", PROBED
    )
    log = ToolResult(
        "fetch_pod_logs",
        {"pod_name": "web-7d9f8b6c5d-x2x9q", "namespace": "shop"},
        "success",
        'level=INFO msg="HTTP server listening on :8080"\nlevel=INFO msg="job started" job=tj-55008\n',
    )
    top = analyze(Evidence(issue, (describe, log))).top
    assert top is not None and top.rule == "probe_port_mismatch"
    assert "checks port 8081, but the container serves 8080" in top.root_cause
    same_port = ToolResult(describe.tool, describe.params, "success", PROBED.replace("http://:8081", "http://:8080"))
    assert all(f.rule != "probe_port_mismatch" for f in analyze(Evidence(issue, (same_port, log))).findings)

# ruff: noqa: E501  (kubectl output is kept as kubectl prints it)
"""Storage joined across hops: a static volume left Released for a recreated claim, a volume pinned to a zone no
node is in, and a required node affinity read from a pod's YAML even when the rest of the document is malformed."""

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

"""kubectl's text read into facts: pods, nodes, claims, storage classes, controllers, Services, quantities,
taints and tolerations, and a pod's required node affinity."""

# kubectl's lines are as wide as kubectl prints them.
# ruff: noqa: E501

from __future__ import annotations

from aisre.investigations.model.kubectl.affinity import required_terms
from aisre.investigations.model.kubectl.kinds import canonical
from aisre.investigations.model.kubectl.labels import parse_taints, parse_tolerations
from aisre.investigations.model.kubectl.nodes import parse_node, parse_node_listing
from aisre.investigations.model.kubectl.pods import parse_pod, pod_rows
from aisre.investigations.model.kubectl.quantity import parse_quantity, show
from aisre.investigations.model.kubectl.services import data_keys, parse_endpoints, parse_service
from aisre.investigations.model.kubectl.storage import parse_claim, parse_storage_classes
from aisre.investigations.model.kubectl.workloads import job_rows, parse_workload
from tests.support.kubectl_samples import (
    NODE_LISTING,
    POD_HEADER,
    STORAGE_CLASSES,
    claim,
    deployment,
    job,
    listing,
    node,
    pod,
    pod_row,
    service,
)


def test_a_pods_describe_names_its_owner_claims_config_and_placement() -> None:
    text = pod(
        "checkout-7d9f8b6c5d-x2x9z",
        owner="ReplicaSet/checkout-7d9f8b6c5d",
        claim="checkout-data",
        config_map="checkout-settings",
        env="DB_PASSWORD:  <set to the key 'password' in secret 'checkout-db'>  Optional: false",
        selectors="disktype=ssd;zone=eu-west-1a",
        tolerations="dedicated=payments:NoSchedule;node.kubernetes.io/unreachable:NoExecute op=Exists for 300s",
        restarts=3,
        last="Error",
    )
    facts = parse_pod(text)
    assert facts.owner == ("ReplicaSet", "checkout-7d9f8b6c5d")
    assert facts.node == "worker-1" and facts.scheduled and facts.restarted
    assert facts.claims == ["checkout-data"] and facts.config_maps == ["checkout-settings"]  # kube-root-ca.crt left out
    assert ("Secret", "checkout-db", "password") in facts.config_references
    assert facts.node_selector == {"disktype": "ssd", "zone": "eu-west-1a"}
    assert [t.key for t in facts.tolerations] == ["dedicated", "node.kubernetes.io/unreachable"]
    assert facts.requests() == {"cpu": 0.25, "memory": 256 * 2**20}


def test_an_unscheduled_pod_is_seen_from_its_condition_or_its_missing_node() -> None:
    assert parse_pod(pod("p", status="Pending", scheduled=False)).unscheduled
    running = parse_pod(pod("p"))
    assert not running.unscheduled and not running.restarted


def test_a_nodes_describe_gives_labels_taints_allocatable_and_allocated() -> None:
    facts = parse_node(node("worker-2", labels="disktype=ssd", taints="dedicated=infra:NoSchedule;gpu:NoExecute"))
    assert facts.labels["disktype"] == "ssd" and facts.labels["kubernetes.io/hostname"] == "worker-2"
    assert [str(t) for t in facts.taints] == ["dedicated=infra:NoSchedule", "gpu:NoExecute"]
    assert facts.allocatable["cpu"] == 2 and facts.allocated["cpu"] == 1.85
    assert show("memory", facts.free("memory") or 0) == "669Mi"
    assert facts.free("nvidia.com/gpu") == 0.0  # a resource the node does not offer
    assert facts.ready is True


def test_a_node_listing_with_labels() -> None:
    nodes = {n.name: n for n in parse_node_listing(NODE_LISTING)}
    assert set(nodes) == {"cp-1", "worker-1"}
    assert nodes["worker-1"].labels["disktype"] == "hdd" and nodes["cp-1"].ready


def test_claims_and_storage_classes() -> None:
    event = 'Warning  ProvisioningFailed  21s (x26 over 6m35s)  persistentvolume-controller  storageclass.storage.k8s.io "fast-ssd" not found'
    facts = parse_claim(claim("checkout-data", events=event))
    assert (facts.storage_class, facts.status, facts.volume, facts.pending) == ("fast-ssd", "Pending", "", True)
    assert facts.used_by == ["checkout-7d9f8b6c5d-x2x9z"] and "ProvisioningFailed" in facts.events[0]
    classes = parse_storage_classes(STORAGE_CLASSES)
    assert [(c.name, c.default) for c in classes] == [("gp3", True), ("standard", False)]


def test_controllers_name_their_children() -> None:
    deploy = parse_workload(deployment("checkout", "checkout-7d9f8b6c5d"), "deployment")
    assert deploy.replicasets == ["checkout-7d9f8b6c5d"] and deploy.selector == {"app": "checkout"}
    failed_job = parse_workload(job("nightly", ("nightly-abcde", "nightly-fghij"), owner="CronJob/nightly"), "job")
    assert failed_job.owner == ("CronJob", "nightly") and failed_job.pods == ["nightly-abcde", "nightly-fghij"]
    statefulset = "\n".join(
        [
            "Name:               db",
            "Selector:           app=db",
            "Volume Claims:",
            "  Name:          data",
            "  StorageClass:  fast-ssd",
            "Events:",
            "  Type    Reason            Age   From                    Message",
            "  ----    ------            ----  ----                    -------",
            "  Normal  SuccessfulCreate  10s   statefulset-controller  create Claim data-db-0 Pod db-0 in StatefulSet db success",
            "  Normal  SuccessfulCreate  10s   statefulset-controller  create Pod db-0 in StatefulSet db successful",
        ]
    )
    sts = parse_workload(statefulset, "statefulset")
    assert (sts.claim_templates, sts.claims, sts.pods) == (["data"], ["data-db-0"], ["db-0"])
    cronjob = "\n".join(
        [
            "Name:                          nightly",
            "Schedule:                      0 2 * * *",
            "Active Jobs:                   <none>",
            "Events:",
            "  Type    Reason            Age   From                Message",
            "  ----    ------            ----  ----                -------",
            "  Normal  SuccessfulCreate  2d    cronjob-controller  Created job nightly-28400000",
            "  Normal  SuccessfulCreate  1d    cronjob-controller  Created job nightly-28401440",
            "  Normal  SawCompletedJob   1d    cronjob-controller  Saw completed job: nightly-28401440, status: Failed",
        ]
    )
    assert parse_workload(cronjob, "cronjob").jobs == ["nightly-28401440", "nightly-28400000"]
    rows = job_rows(
        "NAME               STATUS   COMPLETIONS   DURATION   AGE\nnightly-28401440   Failed   0/1           1d         1d"
    )
    assert rows[0].failed


def test_services_endpoints_and_object_keys() -> None:
    facts = parse_service(service("checkout"))
    assert facts.selector == {"app": "checkout"} and facts.without_endpoints
    assert parse_service(service("checkout", endpoints="10.244.1.7:8080")).endpoints == ["10.244.1.7:8080"]
    assert parse_endpoints("NAME       ENDPOINTS   AGE\ncheckout   <none>      5m") == []
    configmap = "Name:         settings\nNamespace:    shop\n\nData\n====\nLOG_LEVEL:\n----\ninfo\n\nBinaryData\n====\n\nEvents:  <none>"
    assert data_keys(configmap) == ["LOG_LEVEL"]
    secret = (
        "Name:         db\nNamespace:    shop\n\nType:  Opaque\n\nData\n====\npassword:  8 bytes\nusername:  5 bytes"
    )
    assert data_keys(secret) == ["password", "username"]


def test_pod_listing_rows_with_labels() -> None:
    rows = pod_rows(
        listing(POD_HEADER, pod_row("checkout-a", "0/1", "CrashLoopBackOff"), pod_row("web-b", labels="app=web"))
    )
    assert [(r.name, r.healthy, r.labels) for r in rows] == [
        ("checkout-a", False, {"app": "checkout"}),
        ("web-b", True, {"app": "web"}),
    ]


def test_quantities_and_kinds() -> None:
    assert parse_quantity("250m") == 0.25 and parse_quantity("5Gi") == 5 * 2**30 and parse_quantity("x") is None
    assert show("memory", 5 * 2**30) == "5Gi" and show("cpu", 0.5) == "500m" and show("nvidia.com/gpu", 2) == "2"
    assert [canonical(k) for k in ("Deployment", "pvc", "statefulsets.apps", "svc", "Pods")] == [
        "deployment",
        "persistentvolumeclaim",
        "statefulset",
        "service",
        "pod",
    ]


def test_tolerations_match_taints_as_the_scheduler_does() -> None:
    taint = parse_taints(["dedicated=infra:NoSchedule"])[0]
    assert parse_tolerations(["dedicated=infra:NoSchedule"])[0].tolerates(taint)
    assert parse_tolerations(["dedicated:NoSchedule op=Exists"])[0].tolerates(taint)
    assert parse_tolerations(["op=Exists"])[0].tolerates(taint)  # tolerates everything
    assert not parse_tolerations(["dedicated=payments:NoSchedule"])[0].tolerates(taint)
    assert not parse_tolerations(["dedicated=infra:NoExecute"])[0].tolerates(taint)


def test_required_node_affinity_from_the_pods_yaml() -> None:
    yaml_text = """stdout:
apiVersion: v1
kind: Pod
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - key: topology.kubernetes.io/zone
            operator: In
            values: [eu-west-1c]
"""
    terms = required_terms(yaml_text)
    assert [str(e) for e in terms[0]] == ["topology.kubernetes.io/zone In [eu-west-1c]"]
    assert not terms[0][0].holds({"topology.kubernetes.io/zone": "eu-west-1a"})
    assert terms[0][0].holds({"topology.kubernetes.io/zone": "eu-west-1c"})
    assert required_terms("not: [yaml") == []

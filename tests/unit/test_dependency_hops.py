# ruff: noqa: E501  (kubectl output is kept as kubectl prints it)
"""The hop from a workload's logs to the dependencies they name: the Services (does the name exist, does it have
endpoints) and the cluster's DNS; read aside from the subject, joined by the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisre.investigations.adapters.tools.replay import Recording, ReplayToolRunner
from aisre.investigations.model.analysis import analyze
from aisre.investigations.model.evidence import ASIDE_CLUSTER_DNS, ASIDE_DEPENDENCY, Issue, Subject
from aisre.investigations.service.gather import gather

POD = "cart-6f9d8c7b5-4wz8p"
DESCRIBE = f"""Name:             {POD}
Namespace:        retail
Status:           Running
Controlled By:    ReplicaSet/cart-6f9d8c7b5
Containers:
  cart:
    State:          Running
    Ready:          True
    Restart Count:  0
Events:           <none>
"""
SERVICES = """NAME            TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)    AGE    SELECTOR              LABELS
cart            ClusterIP   10.100.23.190   <none>        8080/TCP   211d   app=cart              app=cart
inventory-svc   ClusterIP   10.100.41.7     <none>        8080/TCP   90d    app=inventory         app=inventory
orders-db       ClusterIP   10.100.87.14    <none>        5432/TCP   300d   app=orders-db         app=orders-db
"""
DNS_LOG = "2025-09-09T11:21:05Z ERR reserve failed: dial tcp: lookup inventory.retail.svc.cluster.local on 10.96.0.10:53: no such host\n"
REFUSED_LOG = "2025-09-09T11:21:05Z ERR ping failed: dial tcp 10.100.87.14:5432: connect: connection refused\n"
KUBE_SYSTEM = """NAME                       READY   STATUS             RESTARTS        AGE   IP           NODE     NOMINATED NODE   READINESS GATES   LABELS
coredns-7c65d6cfc9-hx2bd   0/1     CrashLoopBackOff   9 (2m ago)      30d   10.244.0.3   node-a   <none>           <none>            k8s-app=kube-dns
kube-proxy-x2x9q           1/1     Running            0               30d   10.0.0.4     node-a   <none>           <none>            k8s-app=kube-proxy
"""
COREDNS_LOG = '[FATAL] plugin/loop: Loop (127.0.0.1:40315 -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting.\n'
ORDERS_DB = """Name:              orders-db
Namespace:         retail
Selector:          app=orders-db
Type:              ClusterIP
IP:                10.100.87.14
Port:              postgres  5432/TCP
Endpoints:         <none>
Events:            <none>
"""


def _rec(tool: str, params: Mapping[str, Any], text: str) -> Recording:
    return Recording(tool=tool, match_params=dict(params), status="success", error=None, text=text)


def _evidence(log: str, *more: Recording) -> Any:
    runner = ReplayToolRunner(
        [
            _rec("kubectl_describe", {"kind": "pod", "name": POD, "namespace": "retail"}, DESCRIBE),
            _rec("fetch_pod_logs", {"pod_name": POD, "namespace": "retail"}, log),
            _rec("kubectl_get_by_kind_in_namespace", {"kind": "service", "namespace": "retail"}, SERVICES),
            *more,
        ]
    )
    issue = Issue(title="CartErrors", subject=Subject(kind="pod", name=POD, namespace="retail"))
    return gather(issue, runner)


def test_a_name_that_does_not_resolve_leads_to_the_namespaces_services_and_no_such_service_is_said() -> None:
    evidence = _evidence(DNS_LOG)
    listing = next(r for r in evidence.results if r.params.get("kind") == "service")
    assert listing.aside == ASIDE_DEPENDENCY
    top = analyze(evidence).top
    assert top is not None and top.rule == "missing_service"
    assert "no Service named `inventory`" in top.root_cause and "closest name is `inventory-svc`" in top.root_cause


def test_failing_cluster_dns_is_the_cause_and_its_logs_stay_out_of_the_subjects_evidence() -> None:
    evidence = _evidence(
        DNS_LOG,
        _rec("kubectl_get_by_kind_in_namespace", {"kind": "pod", "namespace": "kube-system"}, KUBE_SYSTEM),
        _rec("fetch_pod_logs", {"pod_name": "coredns-7c65d6cfc9-hx2bd", "namespace": "kube-system"}, COREDNS_LOG),
    )
    dns = [r for r in evidence.results if r.aside == ASIDE_CLUSTER_DNS]
    assert {r.tool for r in dns} >= {"kubectl_get_by_kind_in_namespace", "fetch_pod_logs"}
    assert all(r.params.get("namespace") == "kube-system" for r in dns)
    assert all(not r.aside for r in evidence.logs())  # the subject's logs only
    top = analyze(evidence).top
    assert top is not None and top.rule == "cluster_dns_failing"
    assert "plugin/loop" in top.root_cause and "`coredns-7c65d6cfc9-hx2bd` CrashLoopBackOff" in top.root_cause


def test_a_refused_connection_to_a_service_without_endpoints_names_the_service() -> None:
    evidence = _evidence(
        REFUSED_LOG,
        _rec("kubectl_describe", {"kind": "service", "name": "orders-db", "namespace": "retail"}, ORDERS_DB),
    )
    described = [r for r in evidence.results if r.tool == "kubectl_describe" and r.params.get("kind") == "service"]
    assert described and described[0].aside == ASIDE_DEPENDENCY  # found by its cluster IP in the listing
    top = analyze(evidence).top
    assert top is not None and top.rule == "dependency_without_endpoints"
    assert "Service `orders-db`" in top.root_cause and "connection refused" in top.root_cause
    assert any("Endpoints: <none>" in line for line in top.evidence_lines)


def test_a_name_that_exists_or_a_service_with_endpoints_is_not_blamed() -> None:
    existing = DNS_LOG.replace("lookup inventory.retail", "lookup inventory-svc.retail")
    assert all(f.rule != "missing_service" for f in analyze(_evidence(existing)).findings)
    backed = ORDERS_DB.replace("Endpoints:         <none>", "Endpoints:         10.244.1.9:5432")
    service = _rec("kubectl_describe", {"kind": "service", "name": "orders-db", "namespace": "retail"}, backed)
    refused = analyze(_evidence(REFUSED_LOG, service))
    assert all(f.rule != "dependency_without_endpoints" for f in refused.findings)
    assert any(f.rule == "connection_failure" for f in refused.findings)  # the log line alone still speaks

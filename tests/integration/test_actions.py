"""POST /actions/execute over real HTTP against the local stack and a stand-in Kubernetes API server on loopback
(tests/support/kube_apiserver.py, RBAC from infra/kubernetes/rbac.yaml): dry runs write nothing, each catalog
action writes exactly what kubectl would, the policy refuses (403) and rate-limits (429), retries act once, the
effect is verified, and an action on an incident is on its timeline, /actions, /activity and metrics."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.test_alert_to_incident import ALERT
from tests.support.kube_apiserver import KubeApiServer, KubeState, kube_apiserver

NS = "shop"
POLICY = {
    "rate_limits": {
        "restart_pod": {"max_executions": 3, "window_minutes": 60},
        "scale_deployment": {"max_executions": 5, "window_minutes": 60, "max_per_target": 2},
        "rollback_deployment": {"max_executions": 1, "window_minutes": 60},
    }
}


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


@pytest.fixture(scope="module")
def actions_url(serve_with_settings, kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    kubeconfig = kube.kubeconfig(tmp_path_factory.mktemp("kube"))
    with serve_with_settings(
        actions_kubeconfig=kubeconfig,
        action_verify_seconds=3.0,
        action_verify_interval_seconds=0.05,
        policy_document=json.dumps(POLICY),
    ) as url:
        yield url


@pytest.fixture
def cluster(kube: KubeApiServer) -> KubeState:
    state = kube.reset()
    state.add_deployment(NS, "checkout", replicas=2, images=("shop/checkout:1.4.1", "shop/checkout:1.4.2"))
    return state


@pytest.fixture
def http(actions_url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=actions_url, headers={"X-Workspace-Id": workspace}, timeout=30) as client:
        yield client


def a_pod(state: KubeState, app: str = "checkout") -> str:
    return next(
        pod["metadata"]["name"] for pod in state.items("pods", NS) if pod["metadata"]["labels"].get("app") == app
    )


def execute(http: httpx.Client, **body: Any) -> httpx.Response:
    return http.post("/actions/execute", json=body)


# -- dry run ------------------------------------------------------------------------------------------------


def test_dry_run_is_the_default_reads_the_target_and_writes_nothing(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    pod = a_pod(cluster)
    restart = execute(http, action="restart_pod", namespace=NS, pod_name=pod)
    assert restart.status_code == 200, restart.text
    body = restart.json()
    assert body["status"] == "dry_run" and body["dry_run"] is True
    assert body["message"].startswith(f"Would delete pod {pod} in namespace {NS}")
    assert body["namespace"] == NS and body["pod_name"] == pod
    assert body["approval_required"] is True and body["policy_name"] == "default"

    scale = execute(http, action="scale_deployment", namespace=NS, deployment_name="checkout", replicas=3).json()
    assert scale["status"] == "dry_run" and "from 2 to 3 replicas" in scale["message"]
    assert scale["details"]["current_replicas"] == 2

    rollback = execute(http, action="rollback_deployment", namespace=NS, deployment_name="checkout").json()
    assert rollback["status"] == "dry_run" and "to revision 1" in rollback["message"]
    assert rollback["details"]["to_images"] == ["shop/checkout:1.4.1"]

    assert kube.writes() == []
    reads = {path.split("?")[0] for method, path, _ in cluster.requests if method == "GET"}
    assert f"/api/v1/namespaces/{NS}/pods/{pod}" in reads
    assert f"/apis/apps/v1/namespaces/{NS}/deployments/checkout/scale" in reads
    assert f"/apis/apps/v1/namespaces/{NS}/replicasets" in reads


# -- each action writes what kubectl writes -------------------------------------------------------------------


def test_restart_pod_deletes_it_as_kubectl_does_and_waits_for_its_ready_replacement(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    pod = a_pod(cluster)
    response = execute(http, action="restart_pod", namespace=NS, pod_name=pod, dry_run=False, approved=True)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", body
    assert body["message"] == f"Pod {pod} deleted in namespace {NS}"
    [write] = kube.writes()
    assert (write.method, write.path) == ("DELETE", f"/api/v1/namespaces/{NS}/pods/{pod}")
    assert write.content_type == "application/json"
    assert write.body == {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
    assert write.user == "aisre-actions"
    assert body["verified"] is True and "is Ready" in body["verification"]["observed"]
    assert body["verification"]["reads"] >= 1 and body["execution_id"].startswith("act-")


def test_scale_deployment_patches_the_scale_subresource_and_verifies_the_rollout(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    body = execute(
        http,
        action="scale_deployment",
        namespace=NS,
        deployment_name="checkout",
        replicas=4,
        dry_run=False,
        approved=True,
    ).json()
    assert body["status"] == "success", body
    [write] = kube.writes()
    assert (write.method, write.path) == ("PATCH", f"/apis/apps/v1/namespaces/{NS}/deployments/checkout/scale")
    assert write.content_type == "application/merge-patch+json"
    assert write.body == {"spec": {"replicas": 4}}
    assert body["verified"] is True and "successfully rolled out (4/4 available)" in body["verification"]["observed"]
    assert cluster.get("deployments", NS, "checkout")["spec"]["replicas"] == 4  # type: ignore[index]


def test_rollback_restores_the_previous_revisions_template_as_rollout_undo_does(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    deployment = cluster.get("deployments", NS, "checkout")
    assert deployment is not None
    previous = next(
        rs
        for rs in cluster.items("replicasets", NS)
        if rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    )
    body = execute(
        http, action="rollback_deployment", namespace=NS, deployment_name="checkout", dry_run=False, approved=True
    ).json()
    assert body["status"] == "success" and body["verified"] is True, body
    assert body["message"] == f"Deployment checkout rolled back to revision 1 in namespace {NS}"
    [write] = kube.writes()
    assert (write.method, write.path) == ("PATCH", f"/apis/apps/v1/namespaces/{NS}/deployments/checkout")
    assert write.content_type == "application/json-patch+json"
    expected_template = json.loads(json.dumps(previous["spec"]["template"]))
    del expected_template["metadata"]["labels"]["pod-template-hash"]
    expected_annotations = {
        "deployment.kubernetes.io/revision": "2",  # kept from the deployment, as kubectl keeps it
    }
    assert write.body == [
        {"op": "replace", "path": "/spec/template", "value": expected_template},
        {"op": "replace", "path": "/metadata/annotations", "value": expected_annotations},
    ]
    rolled = cluster.get("deployments", NS, "checkout")
    assert rolled is not None and rolled["spec"]["template"]["spec"]["containers"][0]["image"] == "shop/checkout:1.4.1"
    # The controller made the restored ReplicaSet the newest revision.
    assert previous["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_rollback_with_no_history_fails_with_kubectls_message_and_writes_nothing(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    cluster.add_deployment(NS, "fresh", replicas=1, images=("fresh:1",))
    body = execute(
        http, action="rollback_deployment", namespace=NS, deployment_name="fresh", dry_run=False, approved=True
    ).json()
    assert body["status"] == "failed" and body["message"] == 'no rollout history found for deployment "fresh"'
    assert kube.writes() == []


# -- bad input and missing targets ----------------------------------------------------------------------------


def test_unknown_action_and_missing_target_are_422_naming_the_field(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    unknown = execute(http, action="drain_node", namespace=NS)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "action"
    assert "restart_pod" in unknown.json()["detail"]
    missing_pod = execute(http, action="restart_pod", namespace=NS)
    assert missing_pod.status_code == 422 and missing_pod.json()["error"]["field"] == "pod_name"
    missing_namespace = execute(http, action="restart_pod", pod_name="x")
    assert missing_namespace.status_code == 422 and missing_namespace.json()["error"]["field"] == "namespace"
    no_replicas = execute(http, action="scale_deployment", namespace=NS, deployment_name="checkout")
    assert no_replicas.status_code == 422 and no_replicas.json()["error"]["field"] == "replicas"
    bad_name = execute(http, action="restart_pod", namespace=NS, pod_name="Not_A_Pod")
    assert bad_name.status_code == 422 and bad_name.json()["error"]["field"] == "pod_name"
    assert execute(http, action="restart_pod", namespace=NS, pod_name="x", dry_run="perhaps").status_code == 422
    assert kube.writes() == []


def test_a_target_that_does_not_exist_fails_cleanly_with_the_clusters_message(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    for dry_run in (True, False):
        body = execute(
            http, action="restart_pod", namespace=NS, pod_name="ghost-pod", dry_run=dry_run, approved=True
        ).json()
        assert body["status"] == "failed" and body["message"] == 'pods "ghost-pod" not found'
    scaled = execute(
        http, action="scale_deployment", namespace=NS, deployment_name="ghost", replicas=2, dry_run=False, approved=True
    ).json()
    assert scaled["status"] == "failed" and scaled["message"] == 'deployments.apps "ghost" not found'
    assert kube.writes() == []
    # Nothing was spent: the rate limit (3 restarts) still allows three.
    for _ in range(3):
        pod = a_pod(cluster)
        assert (
            execute(http, action="restart_pod", namespace=NS, pod_name=pod, dry_run=False, approved=True).json()[
                "status"
            ]
            == "success"
        )


# -- policy ---------------------------------------------------------------------------------------------------


def test_policy_refusals_are_403_with_the_policys_name_and_reason(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    denied = execute(
        http, action="restart_pod", namespace="kube-system", pod_name="coredns-1", dry_run=False, approved=True
    )
    assert denied.status_code == 403
    error = denied.json()["error"]
    assert error["type"] == "PolicyRefusedError"
    assert error["details"]["policy_name"] == "default"
    assert error["details"]["policy_reason"] == "namespace kube-system is denied"
    too_many = execute(http, action="scale_deployment", namespace=NS, deployment_name="checkout", replicas=50)
    assert too_many.status_code == 403
    assert too_many.json()["error"]["details"]["policy_reason"] == "replicas 50 above the maximum 20"
    assert kube.writes() == []


def test_rate_limit_per_namespace_is_429_with_retry_after(http: httpx.Client, kube: KubeApiServer, cluster: KubeState):
    for _ in range(3):
        pod = a_pod(cluster)
        assert (
            execute(http, action="restart_pod", namespace=NS, pod_name=pod, dry_run=False, approved=True).json()[
                "status"
            ]
            == "success"
        )
    fourth = execute(http, action="restart_pod", namespace=NS, pod_name=a_pod(cluster), dry_run=False, approved=True)
    assert fourth.status_code == 429
    assert 3000 < int(fourth.headers["Retry-After"]) <= 3600
    assert (
        fourth.json()["error"]["details"]["policy_reason"]
        == "rate limit: 3 restart_pod in shop in the last 60 minutes (max 3)"
    )
    # A dry run makes every check a real run makes.
    assert execute(http, action="restart_pod", namespace=NS, pod_name=a_pod(cluster)).status_code == 429
    assert len(kube.writes()) == 3


def test_rate_limit_per_target(http: httpx.Client, kube: KubeApiServer, cluster: KubeState):
    cluster.add_deployment(NS, "cart", replicas=2)
    for replicas in (3, 2):
        body = execute(
            http, action="scale_deployment", namespace=NS, deployment_name="checkout", replicas=replicas,
            dry_run=False, approved=True,
        ).json()  # fmt: skip
        assert body["status"] == "success", body
    # (replicas=3 again would be the first request retried, answered from its record: 4 is a new one)
    third = execute(
        http,
        action="scale_deployment",
        namespace=NS,
        deployment_name="checkout",
        replicas=4,
        dry_run=False,
        approved=True,
    )
    assert third.status_code == 429 and "scale_deployment of shop/checkout" in third.json()["detail"]
    # Another deployment in the namespace still may.
    other = execute(
        http, action="scale_deployment", namespace=NS, deployment_name="cart", replicas=3, dry_run=False, approved=True
    )
    assert other.json()["status"] == "success"


def test_scaling_past_the_change_factor_asks_for_approval(http: httpx.Client, kube: KubeApiServer, cluster: KubeState):
    dry = execute(http, action="scale_deployment", namespace=NS, deployment_name="checkout", replicas=10).json()
    assert dry["approval_required"] is True
    assert (
        "scaling from 2 to 10 replicas is more than a 2x change: approval required"
        in dry["details"]["approval_reasons"]
    )


# -- idempotency ------------------------------------------------------------------------------------------------


def test_the_same_approved_request_retried_acts_once(http: httpx.Client, kube: KubeApiServer, cluster: KubeState):
    pod = a_pod(cluster)
    request = {"action": "restart_pod", "namespace": NS, "pod_name": pod, "dry_run": False, "approved": True}
    first = http.post("/actions/execute", json=request).json()
    again = http.post("/actions/execute", json=request).json()
    assert first["status"] == again["status"] == "success"
    assert again["replayed"] is True and again["execution_id"] == first["execution_id"]
    assert len(kube.writes()) == 1


def test_concurrent_retries_act_once(http: httpx.Client, kube: KubeApiServer, cluster: KubeState):
    request = {
        "action": "scale_deployment", "namespace": NS, "deployment_name": "checkout", "replicas": 3,
        "dry_run": False, "approved": True,
    }  # fmt: skip
    answers: list[dict[str, Any]] = []

    def send() -> None:
        answers.append(http.post("/actions/execute", json=request, headers={"Idempotency-Key": "deploy-42"}).json())

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a["status"] for a in answers] == ["success"] * 4, answers
    assert len({a["execution_id"] for a in answers}) == 1
    assert sum(1 for a in answers if a.get("replayed")) == 3
    assert len(kube.writes()) == 1
    # The same key for another request is refused.
    other = http.post("/actions/execute", json={**request, "replicas": 4}, headers={"Idempotency-Key": "deploy-42"})
    assert other.status_code == 422 and other.json()["error"]["field"] == "Idempotency-Key"


def test_an_execution_record_says_what_happened(http: httpx.Client, kube: KubeApiServer, cluster: KubeState):
    body = execute(
        http, action="restart_pod", namespace=NS, pod_name=a_pod(cluster), dry_run=False, approved=True
    ).json()
    record = http.get(f"/actions/executions/{body['execution_id']}").json()
    assert record["status"] == "succeeded" and record["principal"] == "dev-mode"
    assert record["outcome"]["verified"] is True
    assert [e["id"] for e in http.get("/actions/executions").json()["executions"]] == [body["execution_id"]]
    assert http.get("/actions/executions/act-00000000000000000000").status_code == 404


# -- verification -----------------------------------------------------------------------------------------------


def test_verification_reports_false_with_what_it_saw_when_the_target_stays_unhealthy(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    cluster.ready_after = None  # the replacement never becomes Ready
    started = time.monotonic()
    body = execute(
        http, action="restart_pod", namespace=NS, pod_name=a_pod(cluster), dry_run=False, approved=True
    ).json()
    assert body["status"] == "success" and body["verified"] is False
    assert body["verification"]["observed"].startswith("not healthy within 3 s: replacement not Ready yet (")
    assert "ContainerCreating" in body["verification"]["observed"]
    assert 3 <= time.monotonic() - started < 10


def test_a_pod_with_no_controller_is_not_awaited(http: httpx.Client, kube: KubeApiServer, cluster: KubeState):
    cluster.add_pod(NS, "bare-pod")
    dry = execute(http, action="restart_pod", namespace=NS, pod_name="bare-pod").json()
    assert "nothing will recreate it" in dry["message"]
    body = execute(http, action="restart_pod", namespace=NS, pod_name="bare-pod", dry_run=False, approved=True).json()
    assert body["verified"] is False and body["verification"]["reads"] == 1
    assert body["verification"]["observed"] == "pod bare-pod had no controller: nothing recreates it"


# -- advice -----------------------------------------------------------------------------------------------------


def test_suggest_config_fix_proposes_a_diff_and_never_writes(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    spec = "containers:\n  - name: app\n    resources:\n      limits:\n        memory: 512Mi\n        cpu: 500m\n"
    body = execute(
        http, action="suggest_config_fix", component="checkout", issue="OOMKilled: memory limit too low",
        current_spec=spec, dry_run=False, approved=True,
    ).json()  # fmt: skip
    assert body["status"] == "success" and body["proposal"]["applied"] is False
    assert "-        memory: 512Mi\n+        memory: 1Gi" in body["proposal"]["diff"]
    assert body["proposal"]["diff"].startswith("--- a/checkout\n+++ b/checkout\n")
    assert kube.writes() == [] and cluster.requests == []


# -- on an incident ---------------------------------------------------------------------------------------------


def test_an_action_on_an_incident_is_on_its_timeline_actions_activity_and_metrics(
    http: httpx.Client, kube: KubeApiServer, cluster: KubeState
):
    incident_id = http.post("/webhook", json=dict(ALERT, title="checkout crash looping")).json()["incident_id"]
    pod = a_pod(cluster)
    execute(http, action="restart_pod", namespace=NS, pod_name=pod, incident_id=incident_id)
    done = execute(
        http, action="restart_pod", namespace=NS, pod_name=pod, incident_id=incident_id, dry_run=False, approved=True
    ).json()
    assert done["status"] == "success" and done["incident_id"] == incident_id

    actions = http.get(f"/incidents/{incident_id}/actions").json()["actions"]
    assert [(a["action"], a["outcome"], a["dry_run"]) for a in actions] == [
        ("restart_pod", "dry_run", True),
        ("restart_pod", "success", False),
    ]
    assert actions[1]["details"]["execution_id"] == done["execution_id"] and actions[1]["details"]["verified"] is True
    events = [e["event_type"] for e in http.get(f"/incidents/{incident_id}/timeline").json()["events"]]
    assert events[-2:] == ["action_dry_run", "action_executed"]
    assert http.get(f"/incidents/{incident_id}/metrics").json()["summary"]["actions_taken"] == 2
    activity = http.get("/activity").json()["activity"]
    assert activity[0]["incident_id"] == incident_id and activity[0]["outcome"] == "success"

    refused = execute(http, action="restart_pod", namespace="kube-system", pod_name="x", incident_id=incident_id)
    assert refused.status_code == 403
    assert http.get(f"/incidents/{incident_id}/timeline").json()["events"][-1]["event_type"] == "action_refused"
    missing = execute(http, action="restart_pod", namespace=NS, pod_name=pod, incident_id="inc-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "incident_id"


def test_an_incident_of_another_workspace_is_404(
    actions_url: str, kube: KubeApiServer, cluster: KubeState, tmp_path: Path
):
    with httpx.Client(timeout=60, base_url=actions_url, headers={"X-Workspace-Id": "ws-actions-a"}) as a:
        incident_id = a.post("/webhook", json=dict(ALERT, title="elsewhere")).json()["incident_id"]
    with httpx.Client(timeout=60, base_url=actions_url, headers={"X-Workspace-Id": "ws-actions-b"}) as b:
        answer = b.post(
            "/actions/execute",
            json={"action": "restart_pod", "namespace": NS, "pod_name": "p", "incident_id": incident_id},
        )
        assert answer.status_code == 404

"""Approvals over real HTTP with named API keys, against the local stack and the stand-in Kubernetes API server:
an action the policy holds for approval becomes a request; approving carries it out once; rejecting ends it;
requests expire; nobody approves their own; racing approvers decide once; another workspace's id is a 404; a
diagnosis' suggested action can be approved directly and the link is readable."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.test_alert_to_incident import ALERT
from tests.support.kube_apiserver import KubeApiServer, KubeState, kube_apiserver

NS = "shop"
KEYS = "alice=alice-key,bob=bob-key,carol=carol-key,acme=acme-key:ws-acme-approvals,anon-key"


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


@pytest.fixture(scope="module")
def url(serve_with_settings, kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    kubeconfig = kube.kubeconfig(tmp_path_factory.mktemp("kube"))
    with serve_with_settings(
        api_keys=KEYS, actions_kubeconfig=kubeconfig, action_verify_seconds=3.0, action_verify_interval_seconds=0.05
    ) as served:
        yield served


@pytest.fixture(scope="module")
def short_lived(serve_with_settings, kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    kubeconfig = kube.kubeconfig(tmp_path_factory.mktemp("kube-short"))
    with serve_with_settings(api_keys=KEYS, actions_kubeconfig=kubeconfig, approval_expiry_seconds=1) as served:
        yield served


@pytest.fixture
def cluster(kube: KubeApiServer) -> KubeState:
    state = kube.reset()
    state.add_deployment(NS, "checkout", replicas=2, images=("shop/checkout:1.4.1", "shop/checkout:1.4.2"))
    return state


def as_user(url: str, key: str, workspace: str | None) -> httpx.Client:
    headers = {"X-API-Key": key}
    if workspace:
        headers["X-Workspace-Id"] = workspace
    return httpx.Client(base_url=url, headers=headers, timeout=30)


@pytest.fixture
def people(url: str, workspace: str) -> Iterator[dict[str, httpx.Client]]:
    clients = {name: as_user(url, f"{name}-key", workspace) for name in ("alice", "bob", "carol")}
    yield clients
    for client in clients.values():
        client.close()


def a_pod(state: KubeState) -> str:
    return next(pod["metadata"]["name"] for pod in state.items("pods", NS))


def ask_restart(client: httpx.Client, state: KubeState, **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/actions/execute",
        json={"action": "restart_pod", "namespace": NS, "pod_name": a_pod(state), "dry_run": False, **extra},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_action_needing_approval_waits_then_runs_once_when_approved(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState
):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    pending = ask_restart(alice, cluster)
    assert pending["status"] == "pending_approval" and pending["approval_id"].startswith("apr-")
    assert pending["policy_reason"] == "policy default requires approval for restart_pod"
    assert kube.writes() == []

    listed = bob.get("/approvals").json()
    assert [a["id"] for a in listed["approvals"]] == [pending["approval_id"]]
    approval = listed["approvals"][0]
    assert approval["status"] == "pending" and approval["requested_by"] == "alice" and approval["source"] == "execute"

    own = alice.post(f"/approvals/{pending['approval_id']}/approve")
    assert own.status_code == 403 and own.json()["error"]["type"] == "SelfApprovalError"

    approved = bob.post(f"/approvals/{pending['approval_id']}/approve", json={"comment": "go"})
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["approval"]["status"] == "approved" and body["approval"]["decided_by"] == "bob"
    assert body["approval"]["comment"] == "go"
    assert body["result"]["status"] == "success" and body["result"]["verified"] is True
    assert body["result"]["details"]["approved_by"] == "bob"
    assert len(kube.writes()) == 1

    # Approving again (the approver's retry) answers the same result and acts no more; anyone else: 409.
    again = bob.post(f"/approvals/{pending['approval_id']}/approve").json()
    assert again["result"]["execution_id"] == body["result"]["execution_id"] and again["result"]["replayed"] is True
    assert carol.post(f"/approvals/{pending['approval_id']}/approve").status_code == 409
    assert carol.post(f"/approvals/{pending['approval_id']}/reject").status_code == 409
    assert len(kube.writes()) == 1

    detail = carol.get(f"/approvals/{pending['approval_id']}").json()
    assert detail["status"] == "approved" and detail["execution"]["status"] == "succeeded"
    assert detail["execution"]["outcome"]["verified"] is True
    assert bob.get("/approvals").json()["approvals"] == []
    assert [a["id"] for a in bob.get("/approvals", params={"status": "approved"}).json()["approvals"]] == [
        pending["approval_id"]
    ]


def test_an_approval_asked_as_a_dry_run_rehearses_when_approved(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState
):
    alice, bob = people["alice"], people["bob"]
    asked = alice.post(
        "/approvals",
        json={"action": "restart_pod", "namespace": NS, "pod_name": a_pod(cluster), "dry_run": True, "note": "try it"},
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["dry_run"] is True and asked.json()["status"] == "pending"

    approved = bob.post(f"/approvals/{asked.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["approval"]["status"] == "approved" and body["approval"]["dry_run"] is True
    assert body["result"]["status"] == "dry_run" and body["result"]["dry_run"] is True
    assert kube.writes() == []  # every check and read, no write


def test_rejecting_ends_it(people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState):
    pending = ask_restart(people["alice"], cluster)
    rejected = people["bob"].post(f"/approvals/{pending['approval_id']}/reject", json={"comment": "not now"})
    assert rejected.status_code == 200
    assert rejected.json()["approval"]["status"] == "rejected" and rejected.json()["approval"]["comment"] == "not now"
    assert people["carol"].post(f"/approvals/{pending['approval_id']}/approve").status_code == 409
    assert people["bob"].post(f"/approvals/{pending['approval_id']}/approve").status_code == 409
    assert kube.writes() == []
    assert people["carol"].get(f"/approvals/{pending['approval_id']}").json()["execution"] is None


def test_racing_approvers_decide_once(people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState):
    pending = ask_restart(people["alice"], cluster)
    answers: dict[str, int] = {}
    start = threading.Barrier(2)

    def approve(name: str) -> None:
        start.wait()
        answers[name] = people[name].post(f"/approvals/{pending['approval_id']}/approve").status_code

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("bob", "carol")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [200, 409], answers
    assert len(kube.writes()) == 1
    winner = next(name for name, status in answers.items() if status == 200)
    assert people["alice"].get(f"/approvals/{pending['approval_id']}").json()["decided_by"] == winner


def test_a_request_nobody_decides_expires(short_lived: str, workspace: str, kube: KubeApiServer, cluster: KubeState):
    with as_user(short_lived, "alice-key", workspace) as alice, as_user(short_lived, "bob-key", workspace) as bob:
        pending = ask_restart(alice, cluster)
        time.sleep(1.2)
        assert bob.get(f"/approvals/{pending['approval_id']}").json()["status"] == "expired"
        late = bob.post(f"/approvals/{pending['approval_id']}/approve")
        assert late.status_code == 409 and "expired" in late.json()["detail"]
        assert bob.get("/approvals").json()["approvals"] == []
        expired = bob.get("/approvals", params={"status": "expired"}).json()["approvals"]
        assert [a["id"] for a in expired] == [pending["approval_id"]]
    assert kube.writes() == []


def test_an_approval_of_another_workspace_is_404(url: str, workspace: str, kube: KubeApiServer, cluster: KubeState):
    with as_user(url, "acme-key", None) as acme, as_user(url, "bob-key", workspace) as bob:
        pending = ask_restart(acme, cluster)
        assert acme.get(f"/approvals/{pending['approval_id']}").json()["workspace_id"] == "ws-acme-approvals"
        assert bob.get(f"/approvals/{pending['approval_id']}").status_code == 404
        assert bob.post(f"/approvals/{pending['approval_id']}/approve").status_code == 404
        assert bob.post(f"/approvals/{pending['approval_id']}/reject").status_code == 404
    with as_user(url, "alice-key", "ws-other-approvals") as elsewhere:
        assert elsewhere.get(f"/approvals/{pending['approval_id']}").status_code == 404
    assert kube.writes() == []


def test_unnamed_keys_are_named_by_their_hash_prefix(url: str, workspace: str, kube: KubeApiServer, cluster: KubeState):
    from aisre.core.auth import hash_key

    with as_user(url, "anon-key", workspace) as anonymous:
        pending = ask_restart(anonymous, cluster)
        assert anonymous.get(f"/approvals/{pending['approval_id']}").json()["requested_by"] == (
            f"api-key:{hash_key('anon-key')[:12]}"
        )


def test_a_diagnosis_suggestion_is_approved_directly_and_linked_to_its_incident(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState
):
    alice, bob = people["alice"], people["bob"]
    incident_id = alice.post("/webhook", json=dict(ALERT, title="checkout OOMKilled")).json()["incident_id"]
    # A suggested action exactly as the diagnosis shows it (name and arguments).
    suggestion = {"name": "restart_pod", "arguments": {"namespace": NS, "pod_name": a_pod(cluster)}}
    created = alice.post(
        "/approvals",
        json={"action": suggestion["name"], "arguments": suggestion["arguments"], "incident_id": incident_id,
              "note": "from the diagnosis"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    approval = created.json()
    assert approval["source"] == "suggestion" and approval["incident_id"] == incident_id
    from aisre.remediation.model.requests import suggestion_key

    assert approval["suggestion_key"] == suggestion_key("restart_pod", suggestion["arguments"])

    linked = bob.get("/approvals", params={"incident_id": incident_id}).json()["approvals"]
    assert [a["id"] for a in linked] == [approval["id"]]
    result = bob.post(f"/approvals/{approval['id']}/approve").json()["result"]
    assert result["status"] == "success" and result["incident_id"] == incident_id

    events = [e["event_type"] for e in bob.get(f"/incidents/{incident_id}/timeline").json()["events"]]
    assert events[-3:] == ["action_approval_requested", "action_approved", "action_executed"]
    actions = bob.get(f"/incidents/{incident_id}/actions").json()["actions"]
    assert [(a["action"], a["outcome"], a["actor"]) for a in actions] == [("restart_pod", "success", "alice")]


def test_an_approval_for_a_refused_or_advisory_action_is_refused(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState
):
    refused = people["alice"].post(
        "/approvals", json={"action": "restart_pod", "namespace": "kube-system", "pod_name": "x"}
    )
    assert refused.status_code == 403
    advice = people["alice"].post("/approvals", json={"action": "suggest_config_fix", "component": "a", "issue": "b"})
    assert advice.status_code == 422 and advice.json()["error"]["field"] == "action"
    assert people["alice"].post("/approvals", json={"action": "nope"}).json()["error"]["field"] == "action"
    assert people["bob"].get("/approvals/apr-000000000000").status_code == 404
    assert people["bob"].get("/approvals", params={"status": "sleeping"}).status_code == 422
    # An id no key could hold (DynamoDB keys are at most 2 KB) is simply not found, never a 5xx.
    long_id = "apr-" + "x" * 3000
    assert people["bob"].get(f"/approvals/{long_id}").status_code == 404
    assert people["bob"].post(f"/approvals/{long_id}/approve").status_code == 404
    assert people["bob"].get(f"/actions/executions/act-{'y' * 3000}").status_code == 404
    assert people["bob"].get("/approvals", params={"incident_id": "inc-" + "z" * 120}).status_code == 404

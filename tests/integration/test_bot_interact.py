"""The bot (seed 001 POST /bot/interact) over real HTTP on the local stack: it answers about an incident from its
diagnosis and the investigation engine and proposes the diagnosis' actions with the policy's verdicts; it applies
nothing unless asked, and then only what the policy allows without approval (with the default policy: nothing, and
it says why); with a policy that allows a restart, it restarts the pod on the stand-in cluster. Bad input is a 422
naming the field; another workspace's incident is a 404."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.diagnoses import config_fix, persist_diagnosis, restart, rollback
from tests.support.kube_apiserver import KubeApiServer, KubeState, kube_apiserver

NS = "shop"
FAST_ACTIONS = {"action_verify_seconds": 3.0, "action_verify_interval_seconds": 0.05}


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


@pytest.fixture(scope="module")
def kubeconfig(kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    directory: Path = tmp_path_factory.mktemp("kube")
    return kube.kubeconfig(directory)


@pytest.fixture
def cluster(kube: KubeApiServer) -> KubeState:
    state = kube.reset()
    state.add_deployment(NS, "checkout", replicas=3, images=("shop/checkout:1.0", "shop/checkout:1.1"))
    return state


def scope_of(**changes: Any) -> Any:
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings

    return Scope(get_settings().model_copy(update=changes))


def open_incident(http: httpx.Client, pod: str) -> str:
    service = f"svc-{uuid.uuid4().hex[:8]}"  # a service of its own: never grouped with another
    alert = {"title": f"{service} OOMKilled", "severity": "critical", "namespace": NS, "pod": pod,
             "deployment": "checkout", "service": service}  # fmt: skip
    response = http.post("/webhook", json=alert)
    assert response.status_code == 200, response.text
    incident_id: str = response.json()["incident_id"]
    return incident_id


def ask(http: httpx.Client, incident_id: str, message: str = "What is wrong here?", **extra: Any) -> httpx.Response:
    return http.post("/bot/interact", json={"message": message, "incident_id": incident_id, **extra})


def test_the_bot_answers_from_the_diagnosis_and_proposes_without_applying(api: httpx.Client, workspace: str) -> None:
    incident_id = open_incident(api, "checkout-abc")
    persist_diagnosis(scope_of(), workspace, incident_id, [restart(NS, "checkout-abc"), config_fix("checkout")])

    response = ask(api, incident_id, "Why does checkout keep restarting?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["incident_id"] == incident_id and body["auto_apply"] is False
    assert body["diagnosis"] == {"summary": "The container ran out of memory.", "root_cause": "OOMKilled",
                                 "confidence": 0.9}  # fmt: skip
    assert "The container ran out of memory." in body["answer"] and "OOMKilled" in body["answer"]
    proposals = {proposal["action"]: proposal for proposal in body["proposals"]}
    assert set(proposals) == {"restart_pod", "suggest_config_fix"}
    restart_pod = proposals["restart_pod"]
    assert restart_pod["arguments"] == {"namespace": NS, "pod_name": "checkout-abc"}
    # The default policy: a write waits for a person's approval, and says why.
    assert restart_pod["allowed"] is True and restart_pod["requires_approval"] is True
    assert restart_pod["reasons"] and all(isinstance(reason, str) and reason for reason in restart_pod["reasons"])
    assert all(p["applied"] is False and p["outcome"] is None for p in body["proposals"])
    assert "Nothing was applied" in body["answer"]


def test_auto_apply_with_the_default_policy_applies_nothing_and_says_approval_is_needed(
    api: httpx.Client, workspace: str
) -> None:
    incident_id = open_incident(api, "checkout-def")
    persist_diagnosis(scope_of(), workspace, incident_id, [restart(NS, "checkout-def")])

    response = ask(api, incident_id, auto_apply=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["auto_apply"] is True
    [proposal] = body["proposals"]
    assert proposal["applied"] is False and proposal["outcome"] is None and proposal["requires_approval"] is True
    assert "Applied 0 of 1" in body["answer"]
    assert "requires approval for: restart_pod" in body["answer"]
    assert proposal["reasons"][0] in body["answer"]
    assert api.get("/actions/executions").json()["executions"] == []


def test_auto_apply_carries_out_what_the_policy_allows_on_the_cluster(
    serve_with_settings, kubeconfig: str, kube: KubeApiServer, cluster: KubeState, workspace: str
):  # type: ignore[no-untyped-def]
    pod = next(item["metadata"]["name"] for item in cluster.items("pods", NS))
    settings = {"actions_kubeconfig": kubeconfig, "policy_document": json.dumps({"auto_approve": ["restart_pod"]}),
                **FAST_ACTIONS}  # fmt: skip
    with (
        serve_with_settings(**settings) as url,
        httpx.Client(base_url=url, headers={"X-Workspace-Id": workspace}, timeout=60) as http,
    ):
        incident_id = open_incident(http, pod)
        persist_diagnosis(scope_of(**settings), workspace, incident_id, [rollback(NS, "checkout"), restart(NS, pod)])

        proposed = ask(http, incident_id).json()
        assert {p["action"]: p["requires_approval"] for p in proposed["proposals"]} == {
            "rollback_deployment": True,
            "restart_pod": False,
        }
        assert "ask again with auto_apply true" in proposed["answer"] and kube.writes() == []

        response = ask(http, incident_id, "Fix it", auto_apply=True)
        assert response.status_code == 200, response.text
        proposals = {p["action"]: p for p in response.json()["proposals"]}
        applied = proposals["restart_pod"]
        assert applied["applied"] is True, applied
        assert applied["outcome"]["status"] == "success" and applied["outcome"]["dry_run"] is False
        assert applied["outcome"]["execution_id"].startswith("act-")
        assert proposals["rollback_deployment"]["applied"] is False
        assert proposals["rollback_deployment"]["outcome"] is None
        [write] = kube.writes()  # the restart only; the rollback waits for a person
        assert (write.method, write.path) == ("DELETE", f"/api/v1/namespaces/{NS}/pods/{pod}")
        execution = http.get(f"/actions/executions/{applied['outcome']['execution_id']}").json()
        assert execution["principal"] == "dev-mode"  # the caller, not autonomy
        # Asked again, it finds the first outcome rather than restarting once more.
        again = ask(http, incident_id, "Fix it", auto_apply=True).json()
        assert {p["action"]: p["applied"] for p in again["proposals"]}["restart_pod"] is True
        assert len(kube.writes()) == 1


def test_an_incident_without_a_diagnosis_is_answered_without_proposals(api: httpx.Client) -> None:
    incident_id = open_incident(api, "checkout-ghi")
    body = ask(api, incident_id, auto_apply=True).json()
    assert body["diagnosis"] is None and body["proposals"] == []
    assert "no finished diagnosis" in body["answer"]


def test_bad_input_is_a_422_naming_the_field_and_another_workspace_a_404(api: httpx.Client, base_url: str) -> None:
    incident_id = open_incident(api, "checkout-jkl")
    for body, field in [
        ({"message": "", "incident_id": incident_id}, "message"),
        ({"message": "   ", "incident_id": incident_id}, "message"),
        ({"message": "x" * 4001, "incident_id": incident_id}, "message"),
        ({"incident_id": incident_id}, "message"),
        ({"message": "hi", "incident_id": "not an id"}, "incident_id"),
        ({"message": "hi"}, "incident_id"),
        ({"message": "hi", "incident_id": incident_id, "auto_apply": "perhaps"}, "auto_apply"),
    ]:
        response = api.post("/bot/interact", json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["error"]["field"], (body, response.text)
    assert api.post("/bot/interact", content=b"{not json").status_code in (400, 422)
    assert ask(api, "inc-000000000000").status_code == 404
    other = f"ws-{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=base_url, headers={"X-Workspace-Id": other}, timeout=30) as elsewhere:
        response = ask(elsewhere, incident_id)
        assert response.status_code == 404, response.text

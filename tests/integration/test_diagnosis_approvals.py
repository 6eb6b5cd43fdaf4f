"""A diagnosis and remediation meet: each suggested action shows the approval asked for it (its id and status, as
they change), and the policy judges suggestions with the rate limits executions have spent. Over real HTTP on the
local stack, with the stand-in Kubernetes API server for the executions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.test_alert_to_incident import ALERT
from tests.support.diagnoses import config_fix, persist_diagnosis, restart
from tests.support.kube_apiserver import KubeApiServer, KubeState, kube_apiserver

NS = "shop"


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


@pytest.fixture(scope="module")
def changes(kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory: Path = tmp_path_factory.mktemp("kube")
    return {
        "actions_kubeconfig": kube.kubeconfig(directory),
        "action_verify_seconds": 3.0,
        "action_verify_interval_seconds": 0.05,
    }


@pytest.fixture(scope="module")
def url(serve_with_settings, changes: dict[str, Any]) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_with_settings(**changes) as served:
        yield served


@pytest.fixture(scope="module")
def scope(local_stack: object, changes: dict[str, Any]):  # type: ignore[no-untyped-def]
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings

    return Scope(get_settings().model_copy(update=changes))


@pytest.fixture
def http(url: str, workspace: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, headers={"X-Workspace-Id": workspace}, timeout=30) as client:
        yield client


@pytest.fixture
def cluster(kube: KubeApiServer) -> KubeState:
    state = kube.reset()
    state.add_deployment(NS, "checkout", replicas=3)
    return state


def pods(state: KubeState) -> list[str]:
    return [pod["metadata"]["name"] for pod in state.items("pods", NS)]


def suggestion(diagnosis: dict[str, Any], name: str) -> dict[str, Any]:
    return next(item for item in diagnosis["suggested_actions"] if item["name"] == name)


def test_a_suggested_action_shows_its_approval_once_asked_and_follows_its_status(
    http: httpx.Client, scope, workspace: str, cluster: KubeState, kube: KubeApiServer
):  # type: ignore[no-untyped-def]
    pod = pods(cluster)[0]
    incident_id = http.post("/webhook", json=dict(ALERT, title="checkout OOMKilled", namespace=NS, pod=pod)).json()[
        "incident_id"
    ]
    persist_diagnosis(scope, workspace, incident_id, [config_fix("checkout"), restart(NS, pod)])

    before = http.get(f"/incidents/{incident_id}/diagnosis")
    assert before.status_code == 200, before.text
    shown = suggestion(before.json(), "restart_pod")
    assert shown["allowed"] is True and shown["approval_required"] is True
    assert (shown["approval_id"], shown["approval_status"]) == (None, None)

    # Approved directly from the diagnosis: its name and arguments as shown.
    asked = http.post(
        "/approvals",
        json={"action": shown["name"], "arguments": shown["arguments"], "incident_id": incident_id},
    )
    assert asked.status_code == 201, asked.text
    approval_id = asked.json()["id"]
    pending = suggestion(http.get(f"/incidents/{incident_id}/diagnosis").json(), "restart_pod")
    assert (pending["approval_id"], pending["approval_status"]) == (approval_id, "pending")
    # Advice has nothing to approve: it never shows one.
    advice = suggestion(http.get(f"/incidents/{incident_id}/diagnosis").json(), "suggest_config_fix")
    assert (advice["approval_id"], advice["approval_status"]) == (None, None)

    approved = http.post(f"/approvals/{approval_id}/approve").json()
    assert approved["result"]["status"] == "success", approved
    after = suggestion(http.get(f"/incidents/{incident_id}/diagnosis").json(), "restart_pod")
    assert (after["approval_id"], after["approval_status"]) == (approval_id, "approved")
    assert len(kube.writes()) == 1


def test_an_execution_held_for_approval_links_to_the_suggestion_too(
    http: httpx.Client, scope, workspace: str, cluster: KubeState
):  # type: ignore[no-untyped-def]
    pod = pods(cluster)[0]
    incident_id = http.post("/webhook", json=dict(ALERT, title="checkout crash", namespace=NS, pod=pod)).json()[
        "incident_id"
    ]
    persist_diagnosis(scope, workspace, incident_id, [restart(NS, pod)])
    held = http.post(
        "/actions/execute",
        json={"action": "restart_pod", "namespace": NS, "pod_name": pod, "dry_run": False, "incident_id": incident_id},
    )
    assert held.status_code == 202, held.text
    shown = suggestion(http.get(f"/incidents/{incident_id}/diagnosis").json(), "restart_pod")
    assert (shown["approval_id"], shown["approval_status"]) == (held.json()["approval_id"], "pending")


def test_a_diagnosis_judges_its_suggestions_with_the_rate_limits_spent(
    http: httpx.Client, scope, workspace: str, cluster: KubeState
):  # type: ignore[no-untyped-def]
    # The default policy: 3 restart_pod per namespace an hour. Spend them.
    for pod in pods(cluster)[:3]:
        done = http.post(
            "/actions/execute",
            json={"action": "restart_pod", "namespace": NS, "pod_name": pod, "dry_run": False, "approved": True},
        )
        assert done.json()["status"] == "success", done.text
    pod = pods(cluster)[0]
    incident_id = http.post("/webhook", json=dict(ALERT, title="checkout again", namespace=NS, pod=pod)).json()[
        "incident_id"
    ]
    persist_diagnosis(scope, workspace, incident_id, [restart(NS, pod), restart("other-ns", "web-1")])
    diagnosis = http.get(f"/incidents/{incident_id}/diagnosis").json()
    spent, elsewhere = diagnosis["suggested_actions"]
    assert spent["allowed"] is False
    assert spent["policy_reason"] == f"rate limit: 3 restart_pod in {NS} in the last 60 minutes (max 3)"
    # Another namespace's limit is untouched.
    assert elsewhere["allowed"] is True

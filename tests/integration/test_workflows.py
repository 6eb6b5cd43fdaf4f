"""Workflows over real HTTP with named API keys, on the local stack (the emulator's Step Functions runs the state
machines, their Tasks invoking the actions and workflow-steps functions' handlers in-process) against the stand-in
Kubernetes API server: the built-ins listed; oom_recovery as a dry run (nothing written) and for real (each write
waits for an approval's task token, approving sends SendTaskSuccess, the write happens once, the status shows each
step); a rejection fails the run and scales back what it scaled; crashloop_triage; a workspace's own workflows
(seed 002) created, checked, run and deleted; another workspace's ids are 404s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.kube_apiserver import READER_TOKEN, KubeApiServer, KubeState, kube_apiserver
from tests.support.servers import wait_for

NS = "shop"
KEYS = "alice=alice-key,bob=bob-key,acme=acme-key:ws-acme-workflows"
FINISHED = ("succeeded", "failed", "timed_out", "aborted")


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


@pytest.fixture(scope="module")
def url(local_stack: Any, kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole API, and the functions the state machines invoke, with the stand-in cluster: the actions under
    their own identity, the read steps under the read-only one. Set in the environment (the Task handlers run on
    the process's own scope), and restored after."""
    from aisre.core.scope import reset_scope
    from aisre.core.settings import reset_settings
    from aisre.local.server import create_local_app
    from tests.support.servers import serve_app

    folder = tmp_path_factory.mktemp("kube")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AI_SRE_API_KEYS", KEYS)
        patch.setenv("ACTIONS_KUBECONFIG", kube.kubeconfig(folder))
        patch.setenv("KUBECONFIG", kube.kubeconfig(folder, READER_TOKEN, "reader"))
        patch.setenv("ACTION_VERIFY_SECONDS", "3")
        patch.setenv("ACTION_VERIFY_INTERVAL_SECONDS", "0.05")
        reset_settings()
        reset_scope()
        try:
            with serve_app(create_local_app()) as served:
                yield served
        finally:
            patch.undo()
            reset_settings()
            reset_scope()


@pytest.fixture
def cluster(kube: KubeApiServer) -> KubeState:
    """A deployment of two Ready pods, the first of which was OOM-killed three times."""
    state = kube.reset()
    state.add_deployment(NS, "checkout", replicas=2, images=("shop/checkout:1.4.1", "shop/checkout:1.4.2"))
    with state.lock:
        pod = state.items("pods", NS)[0]
        pod["spec"] = {"containers": [{"name": "app", "resources": {"limits": {"memory": "256Mi"}}}]}
        status = pod["status"]["containerStatuses"][0]
        status["restartCount"] = 3
        status["lastState"] = {"terminated": {"reason": "OOMKilled", "exitCode": 137}}
    return state


def user(url: str, name: str, workspace: str | None) -> httpx.Client:
    headers = {"X-API-Key": f"{name}-key"}
    if workspace:
        headers["X-Workspace-Id"] = workspace
    return httpx.Client(base_url=url, headers=headers, timeout=30)


@pytest.fixture
def people(url: str, workspace: str) -> Iterator[dict[str, httpx.Client]]:
    clients = {name: user(url, name, workspace) for name in ("alice", "bob")}
    yield clients
    for client in clients.values():
        client.close()


def oom_pod(state: KubeState) -> str:
    return str(state.items("pods", NS)[0]["metadata"]["name"])


def context(state: KubeState) -> dict[str, str]:
    return {"namespace": NS, "pod_name": oom_pod(state), "deployment_name": "checkout", "service": "checkout"}


def start(client: httpx.Client, workflow: str, body: dict[str, Any]) -> str:
    response = client.post(f"/workflows/{workflow}/execute", json=body)
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["status"] == "running" and started["status_url"] == f"/workflows/{started['run_id']}/status"
    return str(started["run_id"])


def status(client: httpx.Client, run_id: str) -> dict[str, Any]:
    response = client.get(f"/workflows/{run_id}/status")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def steps_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in body["steps"]}


def finished(client: httpx.Client, run_id: str, timeout: float = 90) -> dict[str, Any]:
    body: dict[str, Any] = wait_for(lambda: (s := status(client, run_id))["status"] in FINISHED and s, timeout)
    return body


def waiting_at(client: httpx.Client, run_id: str, step: str, timeout: float = 60) -> str:
    """The approval the run waits for at `step`, once it does."""

    def approval() -> str | None:
        found = steps_of(status(client, run_id))[step]
        return found.get("approval_id") if found["status"] == "waiting_approval" else None

    return str(wait_for(approval, timeout))


def scale_writes(kube: KubeApiServer) -> list[int]:
    return [w.body["spec"]["replicas"] for w in kube.writes() if w.path.endswith("/scale")]


def pod_deletes(kube: KubeApiServer) -> list[str]:
    return [w.path.rsplit("/", 1)[1] for w in kube.writes() if w.method == "DELETE"]


# -- seed 001 ---------------------------------------------------------------------------------------------------


def test_the_builtin_workflows_are_listed(people: dict[str, httpx.Client]):
    listed = people["alice"].get("/workflows").json()
    builtins = [w for w in listed["workflows"] if w["builtin"]]
    assert [(w["id"], w["step_count"]) for w in builtins] == [("oom_recovery", 5), ("crashloop_triage", 4)]
    assert builtins[0]["name"] == "OOMKilled Recovery Workflow" and "OOM" in builtins[0]["description"]
    assert listed["count"] == len(listed["workflows"])


def test_a_dry_run_reads_and_judges_every_step_and_writes_nothing(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState
):
    alice = people["alice"]
    run_id = start(alice, "oom_recovery", {"context": context(cluster), "dry_run": True})
    body = finished(alice, run_id)
    assert body["status"] == "succeeded" and body["dry_run"] is True and body["started_by"] == "alice"
    steps = steps_of(body)
    assert [s["status"] for s in body["steps"]] == ["succeeded"] * 5
    inspected = steps["inspect_pod"]["output"]
    assert inspected["oom_killed"] is True and inspected["containers"][0]["memory"] == {"limit": "256Mi"}
    scale = steps["scale_up"]["output"]["outcome"]
    assert scale["status"] == "dry_run" and scale["replicas"] == 3  # "+1" against the 2 replicas read
    assert "from 2 to 3 replicas" in scale["message"] and "approval_id" not in steps["scale_up"]
    assert steps["restart_pod"]["output"]["outcome"]["status"] == "dry_run"
    proposal = steps["propose_memory_limit"]["output"]["outcome"]["proposal"]
    assert "memory" in proposal["diff"] and proposal["applied"] is False
    assert steps["verify_recovery"]["output"]["healthy"] is True
    assert kube.writes() == []
    assert people["bob"].get("/approvals").json()["approvals"] == []


def test_each_write_waits_for_its_approval_then_happens_once(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState, local_stack: Any
):
    alice, bob = people["alice"], people["bob"]
    pod = oom_pod(cluster)
    run_id = start(alice, "oom_recovery", {"context": context(cluster), "dry_run": False})

    scale_approval = waiting_at(alice, run_id, "scale_up")
    waiting = status(alice, run_id)
    assert waiting["status"] == "waiting_approval" and kube.writes() == []
    assert steps_of(waiting)["inspect_pod"]["status"] == "succeeded"
    listed = bob.get("/approvals").json()["approvals"]
    assert [a["id"] for a in listed] == [scale_approval]
    assert listed[0]["source"] == "workflow" and listed[0]["workflow_run_id"] == run_id
    assert listed[0]["workflow_step"] == "scale_up" and listed[0]["requested_by"] == "alice"
    assert listed[0]["arguments"] == {"namespace": NS, "deployment_name": "checkout", "replicas": 3}
    assert "task_token" not in listed[0]

    own = alice.post(f"/approvals/{scale_approval}/approve")
    assert own.status_code == 403 and own.json()["error"]["type"] == "SelfApprovalError"
    approved = bob.post(f"/approvals/{scale_approval}/approve", json={"comment": "one more replica"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["workflow"] == {
        "run_id": run_id,
        "step": "scale_up",
        "resumed": True,
        "message": f"workflow run {run_id} resumed: it carries the action out",
    }
    assert "result" not in approved.json()

    restart_approval = waiting_at(alice, run_id, "restart_pod")
    assert scale_writes(kube) == [3] and pod_deletes(kube) == []
    assert bob.post(f"/approvals/{restart_approval}/approve").status_code == 200

    body = finished(alice, run_id)
    assert body["status"] == "succeeded", body
    steps = steps_of(body)
    assert [s["status"] for s in body["steps"]] == ["succeeded"] * 5
    scaled = steps["scale_up"]
    assert (scaled["approval_id"], scaled["approved_by"]) == (scale_approval, "bob")
    assert scaled["output"]["outcome"]["status"] == "success" and scaled["output"]["outcome"]["verified"] is True
    assert steps["restart_pod"]["output"]["outcome"]["pod_name"] == pod
    assert steps["verify_recovery"]["output"]["healthy"] is True
    assert scale_writes(kube) == [3] and pod_deletes(kube) == [pod]
    assert {w.user for w in kube.writes()} == {"aisre-actions"}  # only the actions' identity writes

    # Approving again finds no run waiting; the step's Task retried (a Lambda retry) replays the one execution.
    again = bob.post(f"/approvals/{scale_approval}/approve").json()
    assert again["workflow"]["resumed"] is False
    retried = local_stack.handler("ActionsFunction")(
        {
            "workflow": {
                "task": "action",
                "run": {"run_id": run_id, "workspace_id": alice.headers["X-Workspace-Id"], "principal": "alice"},
                "context": context(cluster),
                "step": {"name": "scale_up", "type": "scale_deployment", "config": {"replicas": "+1"}},
                "approval_id": scale_approval,
            }
        },
        None,
    )
    assert retried["outcome"]["replayed"] is True and scale_writes(kube) == [3]
    # An approval is good for its own run and step only.
    with pytest.raises(Exception) as raised:
        local_stack.handler("ActionsFunction")(
            {
                "workflow": {
                    "task": "action",
                    "run": {"run_id": run_id, "workspace_id": alice.headers["X-Workspace-Id"], "principal": "alice"},
                    "context": context(cluster),
                    "step": {"name": "restart_pod", "type": "restart_pod", "config": {}},
                    "approval_id": scale_approval,
                }
            },
            None,
        )
    assert type(raised.value).__name__ == "WorkflowStepFailedError" and pod_deletes(kube) == [pod]
    detail = bob.get(f"/approvals/{scale_approval}").json()
    assert detail["status"] == "approved" and detail["execution"]["status"] == "succeeded"


def test_a_steps_approval_asked_again_is_the_same_request_with_the_newest_token(
    people: dict[str, httpx.Client], cluster: KubeState, local_stack: Any, workspace: str
):
    """The approval Task retried (a new task token each attempt): one request, which resumes the newest attempt."""
    ask = {
        "task": "approval",
        "run": {"run_id": "wfr-0123456789ab", "workspace_id": workspace, "principal": "alice", "workflow_id": "x"},
        "context": context(cluster),
        "step": {"name": "scale_up", "type": "scale_deployment", "config": {"replicas": "+1"}},
    }
    actions = local_stack.handler("ActionsFunction")
    first = actions({"workflow": {**ask, "token": "token-of-attempt-1"}}, None)
    second = actions({"workflow": {**ask, "token": "token-of-attempt-2"}}, None)
    assert first["approval_id"] == second["approval_id"] and second["status"] == "pending"
    assert [a["id"] for a in people["bob"].get("/approvals").json()["approvals"]] == [first["approval_id"]]
    # The tokens are made up: Step Functions knows no task by them, so the run is said to wait no more.
    approved = people["bob"].post(f"/approvals/{first['approval_id']}/approve").json()
    assert approved["workflow"]["resumed"] is False and approved["approval"]["status"] == "approved"


def test_a_rejected_write_fails_the_run_and_scales_back_what_it_scaled(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState
):
    alice, bob = people["alice"], people["bob"]
    run_id = start(alice, "oom_recovery", {"context": context(cluster), "dry_run": False})
    assert bob.post(f"/approvals/{waiting_at(alice, run_id, 'scale_up')}/approve").status_code == 200
    restart = waiting_at(alice, run_id, "restart_pod")
    rejected = bob.post(f"/approvals/{restart}/reject", json={"comment": "not during the sale"})
    assert rejected.status_code == 200 and rejected.json()["workflow"]["resumed"] is True

    body = finished(alice, run_id)
    assert body["status"] == "failed" and body["error"] == "ApprovalRejected" and body["compensated"] is True
    assert body["message"] == f"step restart_pod: approval {restart} was rejected by bob: not during the sale"
    steps = steps_of(body)
    assert steps["restart_pod"]["status"] == "rejected" and steps["verify_recovery"]["status"] == "skipped"
    undo = steps["scale_up"]["compensation"]
    assert undo["status"] == "succeeded" and undo["arguments"]["replicas"] == 2
    assert undo["output"]["outcome"]["message"].startswith("Deployment checkout scaled from 3 to 2")
    assert scale_writes(kube) == [3, 2] and pod_deletes(kube) == []
    assert bob.post(f"/approvals/{restart}/approve").status_code == 409


def test_crashloop_triage_reads_side_by_side_then_restarts_once_approved(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState
):
    alice, bob = people["alice"], people["bob"]
    with cluster.lock:
        waiting = cluster.items("pods", NS)[0]["status"]["containerStatuses"][0]
        waiting["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
        waiting["lastState"] = {"terminated": {"reason": "Error", "exitCode": 1}}
    pod = oom_pod(cluster)
    run_id = start(alice, "crashloop_triage", {"context": context(cluster), "dry_run": False})
    approval = waiting_at(alice, run_id, "restart_pod")
    steps = steps_of(status(alice, run_id))
    assert steps["inspect_pod"]["output"]["crash_looping"] is True
    assert steps["inspect_deployment"]["output"]["healthy"] is False  # a pod is crash-looping
    assert steps["propose_fix"]["output"]["outcome"]["action"] == "suggest_config_fix"
    assert bob.post(f"/approvals/{approval}/approve").status_code == 200
    body = finished(alice, run_id)
    assert body["status"] == "succeeded" and [s["status"] for s in body["steps"]] == ["succeeded"] * 4
    assert pod_deletes(kube) == [pod] and scale_writes(kube) == []


def test_a_context_without_what_a_step_needs_is_refused_naming_the_step(
    people: dict[str, httpx.Client], cluster: KubeState
):
    alice = people["alice"]
    missing = alice.post("/workflows/oom_recovery/execute", json={"context": {"namespace": NS, "pod_name": "x"}})
    assert missing.status_code == 422
    error = missing.json()["error"]
    assert error["field"] == "context.deployment_name" and error["details"]["step"] == "scale_up"
    bad = alice.post(
        "/workflows/oom_recovery/execute",
        json={"context": {**context(cluster), "namespace": "Kube System"}, "dry_run": True},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "context.namespace"
    assert alice.post("/workflows/no_such_workflow/execute", json={}).status_code == 404
    assert alice.get("/workflows/wfr-000000000000/status").status_code == 404
    unknown_incident = alice.post(
        "/workflows/oom_recovery/execute", json={"context": context(cluster), "incident_id": "inc-000000000000"}
    )
    assert unknown_incident.status_code == 404


# -- seed 002 ---------------------------------------------------------------------------------------------------


def test_a_workspaces_own_workflow_is_created_checked_changed_and_deleted(people: dict[str, httpx.Client]):
    alice = people["alice"]
    created = alice.post(
        "/api/v1/workflows/",
        json={
            "name": "scale and check",
            "description": "one more replica, then a look",
            "steps": [
                {"name": "look", "step_type": "inspect_deployment"},
                {"name": "scale", "step_type": "scale_deployment", "config": {"replicas": "+1"}},
            ],
        },
    )
    assert created.status_code == 201, created.text
    workflow = created.json()
    workflow_id = workflow["id"]
    assert workflow_id.startswith("wf-") and workflow["builtin"] is False and workflow["created_by"] == "alice"
    assert [(s["name"], s["order"], s["after"]) for s in workflow["steps"]] == [("look", 1, []), ("scale", 2, ["look"])]

    added = alice.post(
        f"/api/v1/workflows/{workflow_id}/steps", json={"name": "check", "step_type": "check_deployment"}
    )
    assert added.status_code == 201, added.text
    assert [(s["name"], s["after"]) for s in added.json()["steps"]][-1] == ("check", ["scale"])

    detail = alice.get(f"/api/v1/workflows/{workflow_id}").json()
    assert detail["step_count"] == 3 and detail["version"] == 2
    states = detail["definition"]["States"]
    assert {"look", "scale#mode", "scale#approval", "scale", "scale#dry_run", "check", "Compensate"} <= set(states)
    assert workflow_id in [w["id"] for w in alice.get("/api/v1/workflows/").json()["workflows"]]
    unslashed = alice.get("/api/v1/workflows")  # the same, not a redirect (behind API Gateway's stage prefix)
    assert unslashed.status_code == 200 and workflow_id in [w["id"] for w in unslashed.json()["workflows"]]
    assert workflow_id in [w["id"] for w in alice.get("/workflows").json()["workflows"]]

    def refused(response: httpx.Response, step: str, field: str) -> None:
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["details"]["step"] == step and error["field"] == field and f"'{step}'" in error["message"]

    refused(
        alice.post(f"/api/v1/workflows/{workflow_id}/steps", json={"name": "nuke", "step_type": "delete_namespace"}),
        "nuke",
        "steps.nuke.step_type",
    )
    refused(
        alice.post(
            f"/api/v1/workflows/{workflow_id}/steps",
            json={"name": "late", "step_type": "restart_pod", "depends_on": ["nowhere"]},
        ),
        "late",
        "steps.late.depends_on",
    )
    refused(
        alice.post(f"/api/v1/workflows/{workflow_id}/steps", json={"name": "look", "step_type": "inspect_pod"}),
        "look",
        "steps.look.name",
    )
    cycle = alice.post(
        "/api/v1/workflows/",
        json={
            "name": "loop",
            "steps": [
                {"name": "first", "step_type": "inspect_pod", "depends_on": ["second"]},
                {"name": "second", "step_type": "restart_pod", "depends_on": ["first"]},
            ],
        },
    )
    refused(cycle, "first", "steps.first.depends_on")
    assert "first -> second -> first" in cycle.json()["error"]["message"]
    assert alice.get(f"/api/v1/workflows/{workflow_id}").json()["step_count"] == 3  # nothing refused was kept

    builtin = alice.post("/api/v1/workflows/oom_recovery/steps", json={"name": "x", "step_type": "inspect_pod"})
    assert builtin.status_code == 409 and alice.delete("/api/v1/workflows/oom_recovery").status_code == 409
    assert alice.get("/api/v1/workflows/oom_recovery").json()["definition"]["StartAt"] == "inspect_pod"

    deleted = alice.delete(f"/api/v1/workflows/{workflow_id}")
    assert deleted.status_code == 200 and deleted.json() == {"id": workflow_id, "deleted": True}
    assert alice.get(f"/api/v1/workflows/{workflow_id}").status_code == 404
    assert alice.delete(f"/api/v1/workflows/{workflow_id}").status_code == 404


def test_a_workspaces_own_workflow_runs_as_its_compiled_state_machine(
    people: dict[str, httpx.Client], kube: KubeApiServer, cluster: KubeState, url: str
):
    alice, bob = people["alice"], people["bob"]
    created = alice.post(
        "/api/v1/workflows/",
        json={
            "name": "scale out",
            "steps": [
                {"name": "pod", "step_type": "inspect_pod", "order": 1},
                {"name": "deployment", "step_type": "inspect_deployment", "order": 1},
                {"name": "scale", "step_type": "scale_deployment", "order": 2, "config": {"replicas": 4}},
                {"name": "check", "step_type": "check_deployment", "order": 3},
            ],
        },
    ).json()
    run_id = start(alice, created["id"], {"context": context(cluster), "dry_run": False})
    approval = waiting_at(alice, run_id, "scale")
    assert {s["name"]: s["status"] for s in status(alice, run_id)["steps"]} == {
        "pod": "succeeded",
        "deployment": "succeeded",
        "scale": "waiting_approval",
        "check": "pending",
    }
    assert bob.post(f"/approvals/{approval}/approve").status_code == 200
    body = finished(alice, run_id)
    assert body["status"] == "succeeded" and body["workflow_id"] == created["id"], body
    assert scale_writes(kube) == [4]
    assert steps_of(body)["check"]["output"]["replicas"]["desired"] == 4

    # A second run of the same steps runs on the same state machine; it is deleted with the workflow, and the runs
    # stay readable (their view was kept when they finished).
    again = start(alice, created["id"], {"context": context(cluster), "dry_run": True})
    assert finished(alice, again)["status"] == "succeeded"
    assert alice.delete(f"/api/v1/workflows/{created['id']}").status_code == 200
    assert status(alice, run_id)["status"] == "succeeded"

    # Another workspace's key sees none of it.
    with user(url, "acme", None) as acme:
        assert acme.get(f"/workflows/{run_id}/status").status_code == 404
        assert acme.post(f"/approvals/{approval}/approve").status_code == 404
        assert acme.get(f"/api/v1/workflows/{created['id']}").status_code == 404


def test_another_workspaces_workflow_cannot_be_read_changed_or_run(
    people: dict[str, httpx.Client], url: str, cluster: KubeState
):
    workflow_id = (
        people["alice"]
        .post("/api/v1/workflows/", json={"name": "mine", "steps": [{"name": "look", "step_type": "inspect_pod"}]})
        .json()["id"]
    )
    with user(url, "acme", None) as acme:
        assert acme.get(f"/api/v1/workflows/{workflow_id}").status_code == 404
        step = {"name": "x", "step_type": "inspect_pod"}
        assert acme.post(f"/api/v1/workflows/{workflow_id}/steps", json=step).status_code == 404
        assert acme.delete(f"/api/v1/workflows/{workflow_id}").status_code == 404
        assert acme.post(f"/workflows/{workflow_id}/execute", json={"context": context(cluster)}).status_code == 404
        assert workflow_id not in [w["id"] for w in acme.get("/api/v1/workflows/").json()["workflows"]]
    assert people["alice"].get(f"/api/v1/workflows/{workflow_id}").status_code == 200

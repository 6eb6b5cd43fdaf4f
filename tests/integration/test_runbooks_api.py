"""Runbooks over real HTTP against the local stack and the stand-in Kubernetes API server: the catalog, saved and
imported runbooks, matching an incident, a runbook drafted from a seeded history, and runs: read steps run, a write
step waits for its approval and runs once when it is approved, the run then goes on; auto_approve under a
permissive policy; a rejected step ends the run; another workspace sees none of it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.kube_apiserver import KubeApiServer, KubeState, kube_apiserver

NS = "shop"
KEYS = "alice=alice-key,bob=bob-key,acme=acme-key:ws-acme-runbooks"
RESTART_RUNBOOK = """
id: restart-checkout
name: Restart a stuck checkout pod
description: Look, restart, look again.
keywords: [stuck]
steps:
- title: Look at the pod
  command: kubectl get pod {pod} -n {namespace}
  read: pod_status
- Tell the checkout team before restarting
- title: Restart the pod
  command: kubectl delete pod {pod} -n {namespace}
  action: restart_pod
- title: Look at the deployment again
  read: deployment_status
"""


@pytest.fixture(scope="module")
def kube() -> Iterator[KubeApiServer]:
    with kube_apiserver() as server:
        yield server


def _served(serve_with_settings: Any, kube: KubeApiServer, directory: Any, **settings: Any) -> Any:
    return serve_with_settings(
        api_keys=KEYS,
        actions_kubeconfig=kube.kubeconfig(directory),
        action_verify_seconds=3.0,
        action_verify_interval_seconds=0.05,
        **settings,
    )


@pytest.fixture(scope="module")
def url(serve_with_settings, kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _served(serve_with_settings, kube, tmp_path_factory.mktemp("kube")) as served:
        yield served


@pytest.fixture(scope="module")
def permissive(serve_with_settings, kube: KubeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    policy = {"name": "permissive", "auto_approve": ["restart_pod", "scale_deployment"]}
    with _served(
        serve_with_settings, kube, tmp_path_factory.mktemp("kube-p"), policy_document=json.dumps(policy)
    ) as served:
        yield served


@pytest.fixture
def cluster(kube: KubeApiServer) -> KubeState:
    state = kube.reset()
    state.add_deployment(NS, "checkout", replicas=2, images=("shop/checkout:1.4.1", "shop/checkout:1.4.2"))
    return state


def client(url: str, key: str, workspace: str | None) -> httpx.Client:
    headers = {"X-API-Key": key} | ({"X-Workspace-Id": workspace} if workspace else {})
    return httpx.Client(base_url=url, headers=headers, timeout=60)


@pytest.fixture
def alice(url: str, workspace: str) -> Iterator[httpx.Client]:
    with client(url, "alice-key", workspace) as http:
        yield http


@pytest.fixture
def bob(url: str, workspace: str) -> Iterator[httpx.Client]:
    with client(url, "bob-key", workspace) as http:
        yield http


def a_pod(state: KubeState) -> str:
    return next(pod["metadata"]["name"] for pod in state.items("pods", NS))


def open_incident(http: httpx.Client, pod: str, title: str = "checkout pod stuck", **extra: Any) -> str:
    alert = {
        "title": title,
        "severity": "critical",
        "source": "prometheus",
        "namespace": NS,
        "pod": pod,
        "deployment": "checkout",
        "service": "checkout",
        "fingerprint": uuid.uuid4().hex,
        **extra,
    }
    response = http.post("/webhook", json=alert)
    assert response.status_code == 200, response.text
    return str(response.json()["incident_id"])


def import_runbook(http: httpx.Client, text: str) -> httpx.Response:
    return http.post("/runbooks/import", content=text, headers={"Content-Type": "application/yaml"})


def timeline_types(http: httpx.Client, incident_id: str) -> list[str]:
    events = http.get(f"/incidents/{incident_id}/timeline", params={"limit": 100}).json()["events"]
    return [event["event_type"] for event in events]


# -- the catalog, saved and imported runbooks ------------------------------------------------------------------


def test_the_catalog_lists_and_reads_built_in_runbooks(alice: httpx.Client) -> None:
    listed = alice.get("/runbooks")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["count"] == len(body["runbooks"]) >= 15
    oom = next(item for item in body["runbooks"] if item["id"] == "oom-recovery")
    assert oom["source"] == "builtin" and oom["steps"][0].endswith("[read: pod_status]")
    assert [spec["kind"] for spec in oom["step_specs"]][:2] == ["read", "manual"]
    assert alice.get("/runbooks/oom-recovery").json()["name"] == oom["name"]
    missing = alice.get("/runbooks/no-such-runbook")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "runbook_id"
    assert alice.get("/runbooks/" + "x" * 3000).status_code == 404


def test_an_imported_runbook_is_listed_in_all_and_read_by_id(alice: httpx.Client, workspace: str) -> None:
    saved = import_runbook(alice, RESTART_RUNBOOK)
    assert saved.status_code == 201, saved.text
    body = saved.json()
    assert body["ok"] is True and body["runbook_id"] == "restart-checkout" and body["source"] == "imported"
    assert body["saved_path"].endswith(f"/WS#{workspace}#RUNBOOK/RB#restart-checkout") and body["version"] == 1
    all_ids = [item["id"] for item in alice.get("/runbooks/all").json()["runbooks"]]
    assert "restart-checkout" in all_ids and "oom-recovery" in all_ids
    assert "restart-checkout" not in [item["id"] for item in alice.get("/runbooks").json()["runbooks"]]
    read = alice.get("/runbooks/restart-checkout").json()
    assert read["source"] == "imported" and read["saved_by"] == "alice"
    assert [spec["kind"] for spec in read["step_specs"]] == ["read", "manual", "action", "read"]
    again = import_runbook(alice, RESTART_RUNBOOK.replace("Look, restart", "Look twice, restart")).json()
    assert again["version"] == 2


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("id: bad\nname: Bad\nsteps:\n- title: Drop the namespace\n  action: delete_namespace\n", "steps[0].action"),
        ("id: bad\nname: Bad\nsteps:\n- title: Look\n  read: kubectl_exec\n", "steps[0].read"),
        ("id: bad\nname: Bad\nsteps:\n- title: Restart\n  acton: restart_pod\n", "steps[0].acton"),
        ("id: bad\nname: Bad\nsteps:\n- title: Scale\n  action: scale_deployment\n"
         "  arguments: {namespace: kube-system}\n", "steps[0].arguments.namespace"),
        ("id: Bad Id\nname: Bad\nsteps: [Look]\n", "id"),
        ("id: all\nname: Bad\nsteps: [Look]\n", "id"),
        ("id: bad\nsteps: [Look]\n", "name"),
        ("id: bad\nname: Bad\nsteps: []\n", "steps"),
        ("- just\n- a list\n", "runbook"),
        ("id: bad\nname: [unclosed\n", "body"),
        ("a: &x [1]\nb: *x\n", "body"),
        ("", "body"),
    ],
)  # fmt: skip
def test_a_bad_import_is_a_422_naming_the_field(alice: httpx.Client, text: str, field: str) -> None:
    response = import_runbook(alice, text)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert "bad" not in [item["id"] for item in alice.get("/runbooks/all").json()["runbooks"]]


def test_a_saved_runbook_cannot_take_a_built_in_id_and_bytes_that_are_not_text_are_400(alice: httpx.Client) -> None:
    clash = import_runbook(alice, "id: oom-recovery\nname: Mine\nsteps: [Look]\n")
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "id"
    binary = alice.post("/runbooks/import", content=b"\xff\xfe\x00", headers={"Content-Type": "application/yaml"})
    assert binary.status_code == 400


# -- matching ---------------------------------------------------------------------------------------------------


def test_an_incident_is_matched_best_first_with_why(alice: httpx.Client, cluster: KubeState) -> None:
    assert import_runbook(alice, RESTART_RUNBOOK).status_code == 201
    incident_id = open_incident(alice, a_pod(cluster), title="KubePodCrashLooping: checkout pod stuck")
    matched = alice.get(f"/incidents/{incident_id}/runbooks")
    assert matched.status_code == 200, matched.text
    body = matched.json()
    ids = [item["runbook_id"] for item in body["runbooks"]]
    assert body["incident_id"] == incident_id and ids[0] == "crashloop-triage" and "restart-checkout" in ids
    first = body["runbooks"][0]
    assert "KubePodCrashLooping" in first["reason"] and first["source"] == "builtin"
    assert any(f"kubectl describe pod {a_pod(cluster)} -n {NS}" in step for step in first["steps"])
    scores = [item["score"] for item in body["runbooks"]]
    assert scores == sorted(scores, reverse=True)
    assert alice.get("/incidents/inc-000000000000/runbooks").status_code == 404


def test_the_diagnosis_words_match_too(alice: httpx.Client, workspace: str, cluster: KubeState) -> None:
    incident_id = open_incident(alice, a_pod(cluster), title="checkout is unhappy")
    assert alice.get(f"/incidents/{incident_id}/runbooks").json()["runbooks"] == []
    diagnose(workspace, incident_id, "Container app of pod checkout was OOMKilled (exit code 137)")
    [first, *_] = alice.get(f"/incidents/{incident_id}/runbooks").json()["runbooks"]
    assert first["runbook_id"] == "oom-recovery" and "diagnosis matches 'oomkilled'" in first["reason"]


# -- drafting from history ------------------------------------------------------------------------------------


def diagnose(workspace: str, incident_id: str, summary: str) -> None:
    """The investigation's `diagnosis_completed` event, as its persist step writes it on the timeline."""
    from aisre.core.scope import default_scope
    from aisre.incidents.model.incident import TimelineEvent
    from aisre.incidents.providers import incident_service

    event = TimelineEvent(
        incident_id=incident_id,
        event_type="diagnosis_completed",
        actor="aisre",
        payload={"summary": summary, "confidence": 0.9, "suggested_actions_count": 1},
        created_at=datetime.now(UTC),
    )
    default_scope().get(incident_service).record_event(workspace, event)


def test_a_runbook_is_drafted_from_the_history_approved_and_listed(
    alice: httpx.Client, workspace: str, kube: KubeApiServer, cluster: KubeState
) -> None:
    pods = [pod["metadata"]["name"] for pod in cluster.items("pods", NS)]
    seen = []
    for number in range(3):
        incident_id = open_incident(alice, pods[0], title=f"checkout OOMKilled #{number}")
        diagnose(workspace, incident_id, "Container app was OOMKilled: memory limit 256Mi too low")
        if number < 2:
            restart = alice.post(
                "/actions/execute",
                json={"action": "restart_pod", "namespace": NS, "pod_name": a_pod(cluster), "dry_run": False,
                      "approved": True, "incident_id": incident_id},
            )  # fmt: skip
            assert restart.json()["status"] == "success", restart.text
        note = {"note": "raised the memory limit to 512Mi"} if number == 0 else {}
        assert alice.post(f"/incidents/{incident_id}/resolve", json=note).status_code == 200
        seen.append(incident_id)
    open_incident(alice, pods[0], title="checkout high latency")  # another pattern: not counted

    too_few = alice.post("/runbooks/generate", json={"service": "checkout", "pattern": "oomkilled", "min_incidents": 4})
    assert too_few.status_code == 422 and too_few.json()["error"]["field"] == "min_incidents"
    assert too_few.json()["error"]["details"]["occurrences"] == 3 and "found 3 incidents" in too_few.json()["detail"]
    none = alice.post("/runbooks/generate", json={"service": "payments", "pattern": "oomkilled"})
    assert none.status_code == 422 and none.json()["error"]["details"]["occurrences"] == 0

    generated = alice.post(
        "/runbooks/generate", json={"service": "checkout", "pattern": "oomkilled", "min_incidents": 2}
    )
    assert generated.status_code == 200, generated.text
    body = generated.json()
    assert (body["pattern"], body["occurrences"], body["source"]) == ("oomkilled", 3, "generated")
    assert body["message"] == "Generated runbook for 'OOMKilled' pattern (seen 3x). Review and approve to save."
    runbook = body["runbook"]
    assert runbook["id"] == "generated-oomkilled-checkout" and runbook["name"] == "OOMKilled Recovery for checkout"
    assert body["resolved_by"] == {"restart_pod": 2} and runbook["services"] == ["checkout"]
    text = "\n".join(runbook["steps"])
    assert "[read: pod_status]" in text  # the reads of the catalog's OOMKilled runbook
    assert "memory limit 256Mi too low" in text and "(3 of 3)" in text
    assert "resolved 2 of 3 earlier incidents" in text and "[action: restart_pod]" in text
    assert "raised the memory limit to 512Mi" in text
    assert alice.get(f"/runbooks/{runbook['id']}").status_code == 404  # a draft is not saved

    saved = alice.post("/runbooks/generate/approve", json={"runbook": runbook})
    assert saved.status_code == 200, saved.text
    assert (
        saved.json()["runbook_id"] == runbook["id"] and "RB#generated-oomkilled-checkout" in saved.json()["saved_path"]
    )
    listed = {item["id"]: item for item in alice.get("/runbooks/all").json()["runbooks"]}
    assert listed[runbook["id"]]["source"] == "generated"
    assert listed[runbook["id"]]["step_specs"] == runbook["step_specs"]
    # The next incident of the pattern finds it, written for its service.
    matched = alice.get(f"/incidents/{open_incident(alice, pods[0], title='checkout OOMKilled again')}/runbooks")
    mine = next(item for item in matched.json()["runbooks"] if item["runbook_id"] == runbook["id"])
    assert "written for service checkout" in mine["reason"]


def test_a_draft_sent_back_as_text_saves_instructions_that_run_nothing(alice: httpx.Client) -> None:
    seed_body = {"runbook": {"id": "generated-oomkilled-payments-api", "name": "OOMKilled Recovery",
                             "steps": ["Restart the pod [action: restart_pod]", "Check the limits"]}}  # fmt: skip
    saved = alice.post("/runbooks/generate/approve", json=seed_body)
    assert saved.status_code == 200, saved.text
    assert "2 of its steps are instructions for a person" in saved.json()["message"]
    read = alice.get("/runbooks/generated-oomkilled-payments-api").json()
    assert read["actions"] == [] and [spec["kind"] for spec in read["step_specs"]] == ["manual", "manual"]
    bad = {"runbook": {"id": "x-1", "name": "X", "step_specs": [{"title": "Go", "action": "rm_rf"}]}}
    refused = alice.post("/runbooks/generate/approve", json=bad)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "runbook.step_specs[0].action"


# -- runs ---------------------------------------------------------------------------------------------------------


def test_reads_run_a_write_step_waits_then_runs_once_when_approved_and_the_run_completes(
    alice: httpx.Client, bob: httpx.Client, kube: KubeApiServer, cluster: KubeState
) -> None:
    assert import_runbook(alice, RESTART_RUNBOOK).status_code == 201
    pod = a_pod(cluster)
    incident_id = open_incident(alice, pod)
    started = alice.post(f"/incidents/{incident_id}/runbooks/restart-checkout/execute", params={"auto_approve": False})
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "waiting_approval" and run["current_step"] == 2 and run["started_by"] == "alice"
    look, note, restart, after = run["steps"]
    assert look["status"] == "succeeded" and look["output"].startswith(f"pod {pod}: Running, ready")
    assert note["status"] == "noted" and note["output"] is None
    assert restart["status"] == "waiting_approval" and restart["arguments"] == {"namespace": NS, "pod_name": pod}
    assert run["waiting_for"] == restart["approval_id"] and after["status"] == "pending"
    assert kube.writes() == []

    approval = bob.get(f"/approvals/{restart['approval_id']}").json()
    assert approval["source"] == "runbook" and approval["runbook_run_id"] == run["id"] and approval["runbook_step"] == 2
    assert approval["requested_by"] == "alice" and "runbook restart-checkout, step 3" in approval["note"]
    shown = alice.get(f"/incidents/{incident_id}/runbooks/runs/{run['id']}").json()
    assert shown["steps"][2]["approval_status"] == "pending"

    approved = bob.post(f"/approvals/{restart['approval_id']}/approve", json={"comment": "go"})
    assert approved.status_code == 200 and approved.json()["result"]["status"] == "success", approved.text
    [write] = kube.writes()
    assert (write.method, write.path) == ("DELETE", f"/api/v1/namespaces/{NS}/pods/{pod}")

    done = alice.get(f"/incidents/{incident_id}/runbooks/runs/{run['id']}").json()
    assert done["status"] == "succeeded" and done["current_step"] is None and done["finished_at"]
    assert done["steps"][2]["status"] == "succeeded" and done["steps"][2]["verified"] is True
    assert "approved by bob" in done["steps"][2]["output"] and done["steps"][2]["execution_id"].startswith("act-")
    assert done["steps"][3]["status"] == "succeeded" and "successfully rolled out" in done["steps"][3]["output"]

    # Approving again, resuming, reading: nothing more is written.
    assert bob.post(f"/approvals/{restart['approval_id']}/approve").json()["result"]["replayed"] is True
    resumed = alice.post(f"/incidents/{incident_id}/runbooks/runs/{run['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "succeeded"
    assert len(kube.writes()) == 1

    types = timeline_types(alice, incident_id)
    assert types.count("runbook_started") == 1 and types.count("runbook_finished") == 1
    for kind in ("succeeded", "noted", "waiting_approval"):
        assert f"runbook_step_{kind}" in types
    assert types.count("runbook_step_succeeded") == 3 and "action_executed" in types
    runs = alice.get(f"/incidents/{incident_id}/runbooks/runs").json()
    assert [item["id"] for item in runs["runs"]] == [run["id"]] and runs["count"] == 1


def test_a_rejected_step_ends_the_run(
    alice: httpx.Client, bob: httpx.Client, kube: KubeApiServer, cluster: KubeState
) -> None:
    assert import_runbook(alice, RESTART_RUNBOOK).status_code == 201
    incident_id = open_incident(alice, a_pod(cluster))
    run = alice.post(f"/incidents/{incident_id}/runbooks/restart-checkout/execute").json()
    waiting = run["steps"][2]["approval_id"]
    assert bob.post(f"/approvals/{waiting}/reject", json={"comment": "not during the sale"}).status_code == 200
    ended = alice.get(f"/incidents/{incident_id}/runbooks/runs/{run['id']}").json()
    assert ended["status"] == "rejected" and ended["steps"][2]["status"] == "rejected"
    assert "not during the sale" in ended["steps"][2]["reason"] and ended["steps"][3]["status"] == "skipped"
    assert kube.writes() == []


def test_a_built_in_runbook_runs_reads_advice_and_waits_for_its_rollback(
    alice: httpx.Client, kube: KubeApiServer, cluster: KubeState
) -> None:
    incident_id = open_incident(alice, a_pod(cluster), title="checkout OOMKilled")
    response = alice.post(f"/incidents/{incident_id}/runbooks/oom-recovery/execute", params={"auto_approve": True})
    run = response.json()
    assert response.status_code == 202 and run["status"] == "waiting_approval", run
    statuses = [step["status"] for step in run["steps"]]
    assert statuses == ["succeeded", "noted", "succeeded", "noted", "succeeded", "succeeded", "waiting_approval"]
    assert "revision 2 (current)" in run["steps"][4]["output"]
    advice = run["steps"][5]
    assert advice["kind"] == "advice" and advice["proposal"]["summary"]
    # auto_approve does not pass a person's decision where the policy wants one (rollback: always).
    assert "never executed automatically" in run["steps"][6]["reason"]
    assert kube.writes() == []


def test_auto_approve_under_a_permissive_policy_runs_the_write_at_once(
    permissive: str, workspace: str, kube: KubeApiServer, cluster: KubeState
) -> None:
    with client(permissive, "alice-key", workspace) as alice:
        assert import_runbook(alice, RESTART_RUNBOOK).status_code == 201
        incident_id = open_incident(alice, a_pod(cluster))
        held = alice.post(f"/incidents/{incident_id}/runbooks/restart-checkout/execute")
        assert held.json()["status"] == "waiting_approval"  # without auto_approve a person still decides
        started = alice.post(
            f"/incidents/{incident_id}/runbooks/restart-checkout/execute",
            params={"auto_approve": True},
            headers={"Idempotency-Key": "run-1"},
        )
        assert started.status_code == 200, started.text
        run = started.json()
        assert run["status"] == "succeeded" and run["steps"][2]["status"] == "succeeded"
        assert run["steps"][2]["verified"] is True and run["steps"][2]["approval_id"] is None
        assert len(kube.writes()) == 1
        again = alice.post(
            f"/incidents/{incident_id}/runbooks/restart-checkout/execute",
            params={"auto_approve": True},
            headers={"Idempotency-Key": "run-1"},
        )
        assert again.json()["id"] == run["id"] and len(kube.writes()) == 1


def test_words_in_a_runbook_run_nothing_even_auto_approved(
    permissive: str, workspace: str, kube: KubeApiServer, cluster: KubeState
) -> None:
    words = """
id: words-only
name: Words that ask for actions
steps:
- "restart_pod now [action: restart_pod]"
- title: 'action: scale_deployment replicas=0'
  command: kubectl delete pod --all -n {namespace}; kubectl scale deployment/{deployment} --replicas=0
- "POST /actions/execute {action: rollback_deployment, dry_run: false, approved: true}"
"""
    with client(permissive, "alice-key", workspace) as alice:
        assert import_runbook(alice, words).status_code == 201
        incident_id = open_incident(alice, a_pod(cluster), annotations={"runbook": "kubectl delete pod --all"})
        run = alice.post(f"/incidents/{incident_id}/runbooks/words-only/execute", params={"auto_approve": True})
        assert run.status_code == 200 and run.json()["status"] == "succeeded", run.text
        assert [step["status"] for step in run.json()["steps"]] == ["noted"] * 3
        assert alice.get("/actions/executions").json()["executions"] == []
        assert alice.get("/approvals", params={"incident_id": incident_id}).json()["approvals"] == []
    assert kube.writes() == []


def test_a_dry_run_writes_nothing_and_a_step_without_a_target_is_skipped(
    alice: httpx.Client, kube: KubeApiServer, cluster: KubeState
) -> None:
    assert import_runbook(alice, RESTART_RUNBOOK).status_code == 201
    incident_id = open_incident(alice, a_pod(cluster))
    run = alice.post(f"/incidents/{incident_id}/runbooks/restart-checkout/execute", params={"dry_run": True}).json()
    assert run["status"] == "succeeded" and run["steps"][2]["status"] == "dry_run"
    no_pod = alice.post("/webhook", json={"title": "checkout stuck", "service": "checkout", "namespace": NS,
                                          "fingerprint": uuid.uuid4().hex}).json()["incident_id"]  # fmt: skip
    skipped = alice.post(f"/incidents/{no_pod}/runbooks/restart-checkout/execute").json()
    assert skipped["status"] == "succeeded"
    assert [step["status"] for step in skipped["steps"]] == ["skipped", "noted", "skipped", "skipped"]
    assert skipped["steps"][2]["reason"] == "the incident names no pod for restart_pod"
    assert kube.writes() == []


def test_another_workspace_sees_none_of_it(
    url: str, alice: httpx.Client, kube: KubeApiServer, cluster: KubeState
) -> None:
    assert import_runbook(alice, RESTART_RUNBOOK).status_code == 201
    incident_id = open_incident(alice, a_pod(cluster))
    run = alice.post(f"/incidents/{incident_id}/runbooks/restart-checkout/execute").json()
    with client(url, "acme-key", None) as acme:
        assert acme.get("/runbooks/restart-checkout").status_code == 404
        assert "restart-checkout" not in [item["id"] for item in acme.get("/runbooks/all").json()["runbooks"]]
        assert acme.get(f"/incidents/{incident_id}/runbooks").status_code == 404
        assert acme.post(f"/incidents/{incident_id}/runbooks/restart-checkout/execute").status_code == 404
        assert acme.get(f"/incidents/{incident_id}/runbooks/runs/{run['id']}").status_code == 404
        assert acme.post(f"/incidents/{incident_id}/runbooks/runs/{run['id']}/resume").status_code == 404
        assert acme.post(f"/approvals/{run['waiting_for']}/approve").status_code == 404
        own = open_incident(acme, a_pod(cluster))
        refused = acme.post(f"/incidents/{own}/runbooks/restart-checkout/execute")
        assert refused.status_code == 404 and refused.json()["error"]["field"] == "runbook_id"
    assert alice.get(f"/incidents/{incident_id}/runbooks/runs/rbr-0000000000000000").status_code == 404
    assert alice.get(f"/incidents/{incident_id}/runbooks/runs/{'r' * 3000}").status_code == 404
    assert kube.writes() == []

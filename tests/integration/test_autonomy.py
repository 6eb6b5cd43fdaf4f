"""Autonomy (seed 001 /autonomy/*) over real HTTP on the local stack, acting on a stand-in Kubernetes API server:
off by default (status says so, a run is refused and does nothing); enabled, a cycle takes only the listed actions
the policy allowed, as dry runs unless told otherwise, on at most N incidents, once each, and everything it does is
on the timelines as `autonomy`; without dry run it asks a person, or acts where the policy lets it; and the template's
schedule runs cycles on the local stack."""

from __future__ import annotations

import json
import time
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


@pytest.fixture(scope="module")
def autonomy(serve_with_settings, kubeconfig: str):  # type: ignore[no-untyped-def]
    """Serve the API with some autonomy settings; yields (url, the same settings as a scope for the steps)."""
    from contextlib import contextmanager

    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings

    @contextmanager
    def served(**changes: Any) -> Iterator[tuple[str, Any]]:
        changes = {"actions_kubeconfig": kubeconfig, **FAST_ACTIONS, **changes}
        with serve_with_settings(**changes) as url:
            yield url, Scope(get_settings().model_copy(update=changes))

    return served


def client(url: str, workspace: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"X-Workspace-Id": workspace}, timeout=60)


def pods(state: KubeState) -> list[str]:
    return [pod["metadata"]["name"] for pod in state.items("pods", NS)]


def open_incident(http: httpx.Client, pod: str, *, namespace: str = NS, name: str | None = None) -> str:
    service = name or f"svc-{uuid.uuid4().hex[:8]}"  # a service of its own: never grouped with another
    alert = {"title": f"{service} OOMKilled", "severity": "critical", "namespace": namespace, "pod": pod,
             "deployment": "checkout", "service": service}  # fmt: skip
    response = http.post("/webhook", json=alert)
    assert response.status_code == 200, response.text
    incident_id: str = response.json()["incident_id"]
    return incident_id


def autonomous_events(http: httpx.Client, incident_id: str) -> list[dict[str, Any]]:
    events = http.get(f"/incidents/{incident_id}/timeline").json()["events"]
    return [event for event in events if event["actor"] == "autonomy"]


# -- off by default ---------------------------------------------------------------------------------------------


def test_autonomy_is_off_by_default_and_a_run_is_refused_doing_nothing(
    autonomy, workspace: str, kube: KubeApiServer, cluster: KubeState
):  # type: ignore[no-untyped-def]
    with autonomy() as (url, scope), client(url, workspace) as http:
        status = http.get("/autonomy/status")
        assert status.status_code == 200, status.text
        assert status.json() == {
            "enabled": False,
            "approval_required": True,
            "default_dry_run": True,
            "poll_interval_seconds": 60,
            "max_incidents_per_cycle": 20,
            "autonomous_actions": ["restart_pod"],
            "allowed_namespaces": [],
            "deployment_profile": "local",
            "principal": "autonomy",
            "mode": "dry_run",
        }
        incident_id = open_incident(http, pods(cluster)[0])
        persist_diagnosis(scope, workspace, incident_id, [restart(NS, pods(cluster)[0])])

        refused = http.post("/autonomy/run")
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["type"] == "AutonomyDisabledError"
        assert "AUTONOMY_ENABLED" in refused.json()["detail"]
        assert autonomous_events(http, incident_id) == []
        assert http.get(f"/incidents/{incident_id}/actions").json()["actions"] == []
        assert cluster.requests == [] and kube.writes() == []


# -- enabled: one cycle -----------------------------------------------------------------------------------------


def test_a_cycle_dry_runs_only_the_listed_actions_the_policy_allowed_once_and_marks_them_autonomous(
    autonomy, workspace: str, kube: KubeApiServer, cluster: KubeState
):  # type: ignore[no-untyped-def]
    pod = pods(cluster)[0]
    with autonomy(autonomy_enabled=True) as (url, scope), client(url, workspace) as http:
        assert http.get("/autonomy/status").json()["enabled"] is True
        acted = open_incident(http, pod)
        persist_diagnosis(scope, workspace, acted, [config_fix("checkout"), rollback(NS, "checkout"), restart(NS, pod)])
        # The policy refuses kube-system: the diagnosis says so, and autonomy leaves it.
        refused = open_incident(http, "coredns-1", namespace="kube-system")
        persist_diagnosis(scope, workspace, refused, [restart("kube-system", "coredns-1")])
        undiagnosed = open_incident(http, pod)

        run = http.post("/autonomy/run")
        assert run.status_code == 200, run.text
        report = run.json()
        assert report["mode"] == "dry_run" and report["trigger"] == "api:dev-mode" and report["complete"] is True
        assert report["incidents_examined"] == 3 and report["incidents_acted_on"] == 1
        [action] = report["actions"]
        assert (action["incident_id"], action["action"], action["status"]) == (acted, "restart_pod", "dry_run")
        assert action["arguments"] == {"namespace": NS, "pod_name": pod}
        assert action["message"].startswith(f"Would delete pod {pod}")
        reasons = {(skip["incident_id"], skip["action"]): skip["reason"] for skip in report["skipped"]}
        assert "not an autonomous action" in reasons[(acted, "rollback_deployment")]
        assert "not an autonomous action" in reasons[(acted, "suggest_config_fix")]
        assert reasons[(refused, "restart_pod")].startswith("the policy refused it when diagnosed: namespace kube")
        assert reasons[(undiagnosed, None)] == "no finished diagnosis yet"
        assert kube.writes() == []  # a dry run reads the target and writes nothing

        # On the incident, marked as autonomous: its timeline, /actions and /activity.
        [event] = autonomous_events(http, acted)
        assert event["event_type"] == "action_dry_run" and event["payload"]["autonomous"] is True
        [record] = http.get(f"/incidents/{acted}/actions").json()["actions"]
        assert (record["action"], record["actor"], record["dry_run"]) == ("restart_pod", "autonomy", True)
        assert autonomous_events(http, refused) == [] and autonomous_events(http, undiagnosed) == []

        # Once: the next cycle remembers what it did.
        again = http.post("/autonomy/run").json()
        assert again["actions"] == [] and again["incidents_acted_on"] == 0
        reasons = {(skip["incident_id"], skip["action"]): skip["reason"] for skip in again["skipped"]}
        assert reasons[(acted, "restart_pod")].startswith("autonomy acted on it already (dry_run: dry_run")
        assert len(autonomous_events(http, acted)) == 1


def test_a_cycle_acts_on_at_most_max_incidents_and_the_next_goes_on(
    autonomy, workspace: str, kube: KubeApiServer, cluster: KubeState
):  # type: ignore[no-untyped-def]
    with (
        autonomy(autonomy_enabled=True, autonomy_max_incidents_per_cycle=2) as (url, scope),
        client(url, workspace) as http,
    ):
        incidents = []
        for pod in pods(cluster):
            incident_id = open_incident(http, pod)
            persist_diagnosis(scope, workspace, incident_id, [restart(NS, pod)])
            incidents.append(incident_id)
        first = http.post("/autonomy/run").json()
        assert first["incidents_acted_on"] == 2 and len(first["actions"]) == 2
        assert first["complete"] is False and "AUTONOMY_MAX_INCIDENTS_PER_CYCLE" in first["stopped_because"]
        second = http.post("/autonomy/run").json()
        assert second["incidents_acted_on"] == 1 and second["complete"] is True
        acted_on = [action["incident_id"] for action in first["actions"] + second["actions"]]
        assert sorted(acted_on) == sorted(incidents)
        assert kube.writes() == []


def test_without_dry_run_it_asks_a_person_whose_approval_carries_the_action_out(
    autonomy, workspace: str, kube: KubeApiServer, cluster: KubeState
):  # type: ignore[no-untyped-def]
    pod = pods(cluster)[0]
    with autonomy(autonomy_enabled=True, autonomy_dry_run=False) as (url, scope), client(url, workspace) as http:
        assert http.get("/autonomy/status").json()["mode"] == "approval"
        incident_id = open_incident(http, pod)
        persist_diagnosis(scope, workspace, incident_id, [restart(NS, pod)])
        [action] = http.post("/autonomy/run").json()["actions"]
        assert action["mode"] == "approval" and action["status"] == "pending_approval"
        approval = http.get(f"/approvals/{action['approval_id']}").json()
        assert (approval["requested_by"], approval["source"], approval["incident_id"]) == (
            "autonomy",
            "suggestion",
            incident_id,
        )
        # The diagnosis shows it beside its suggestion; the next cycle leaves it to the person.
        shown = http.get(f"/incidents/{incident_id}/diagnosis").json()["suggested_actions"][0]
        assert (shown["approval_id"], shown["approval_status"]) == (action["approval_id"], "pending")
        again = http.post("/autonomy/run").json()
        assert again["actions"] == [] and kube.writes() == []
        assert "a person decides" in again["skipped"][0]["reason"]

        approved = http.post(f"/approvals/{action['approval_id']}/approve", json={"comment": "go"}).json()
        assert approved["result"]["status"] == "success" and approved["result"]["verified"] is True
        [write] = kube.writes()
        assert (write.method, write.path) == ("DELETE", f"/api/v1/namespaces/{NS}/pods/{pod}")
        events = autonomous_events(http, incident_id)
        assert [event["event_type"] for event in events] == ["action_approval_requested", "action_executed"]
        assert all(event["payload"]["autonomous"] is True for event in events)


def test_without_dry_run_or_approval_it_acts_where_the_policy_lets_it_and_asks_where_it_does_not(
    autonomy, workspace: str, kube: KubeApiServer, cluster: KubeState
):  # type: ignore[no-untyped-def]
    pod = pods(cluster)[0]
    # The policy runs restart_pod unapproved; a rollback is never automatic, whatever autonomy's settings say.
    policy = json.dumps({"auto_approve": ["restart_pod"]})
    settings = {"autonomy_dry_run": False, "autonomy_approval_required": False, "policy_document": policy,
                "autonomy_actions": "restart_pod,rollback_deployment"}  # fmt: skip
    with autonomy(autonomy_enabled=True, **settings) as (url, scope), client(url, workspace) as http:
        incident_id = open_incident(http, pod)
        persist_diagnosis(scope, workspace, incident_id, [rollback(NS, "checkout"), restart(NS, pod)])
        report = http.post("/autonomy/run").json()
        statuses = {action["action"]: action for action in report["actions"]}
        assert statuses["restart_pod"]["status"] == "success" and statuses["restart_pod"]["verified"] is True
        assert statuses["restart_pod"]["execution_id"].startswith("act-")
        assert statuses["rollback_deployment"]["status"] == "pending_approval"
        [write] = kube.writes()  # the restart, exactly as kubectl deletes a pod; the rollback waits
        assert (write.method, write.path) == ("DELETE", f"/api/v1/namespaces/{NS}/pods/{pod}")
        assert write.user == "aisre-actions"
        execution = http.get(f"/actions/executions/{statuses['restart_pod']['execution_id']}").json()
        assert execution["principal"] == "autonomy"
        events = {event["event_type"]: event for event in autonomous_events(http, incident_id)}
        assert events["action_executed"]["payload"]["verified"] is True
        assert events["action_approval_requested"]["payload"]["autonomous"] is True
        # Acted once: the next cycle writes nothing more.
        assert http.post("/autonomy/run").json()["actions"] == [] and len(kube.writes()) == 1


def test_a_cycle_sees_only_the_workspace_asked_for(autonomy, workspace: str, cluster: KubeState):  # type: ignore[no-untyped-def]
    pod = pods(cluster)[0]
    with autonomy(autonomy_enabled=True) as (url, scope), client(url, workspace) as http:
        other = f"ws-{uuid.uuid4().hex[:12]}"
        with client(url, other) as elsewhere:
            theirs = open_incident(elsewhere, pod)
            persist_diagnosis(scope, other, theirs, [restart(NS, pod)])
        mine = http.post("/autonomy/run").json()
        assert mine["incidents_examined"] == 0 and mine["actions"] == []


# -- the schedule -----------------------------------------------------------------------------------------------


def test_the_template_schedule_runs_cycles_on_the_local_stack(
    local_stack, base_url: str, kubeconfig: str, workspace: str, kube: KubeApiServer, monkeypatch: pytest.MonkeyPatch
):  # type: ignore[no-untyped-def]
    from aisre.core.scope import default_scope, reset_scope
    from aisre.core.settings import reset_settings
    from aisre.local.functions import context_factory
    from aisre.local.provision import provision
    from aisre.local.schedules import ScheduleRunner
    from aisre.local.template import load_template

    # With the template's defaults (AutonomyEnabled=false) the rule is disabled: the stack runs no cycle.
    assert local_stack.start_schedules(["ActionsFunction"]) == []
    # The same template with AutonomyEnabled=true: the rule is enabled, every minute, with the cycle's input.
    enabled = provision(
        load_template(local_stack.template_path),
        local_stack.endpoint_url,
        local_stack.region,
        local_stack.stack_name,
        {"AutoInvestigate": "false", "AutonomyEnabled": "true"},
        local_stack.project_root,
    )
    spec = enabled.functions["ActionsFunction"]
    [rule] = spec.schedule_events
    assert (rule.enabled, rule.expression, json.loads(rule.input or "")) == (
        True,
        "rate(1 minute)",
        {"autonomy": "run_cycle"},
    )
    assert spec.environment["AUTONOMY_ENABLED"] == "true"

    namespace = f"sched-{uuid.uuid4().hex[:8]}"
    state = kube.reset()
    state.add_deployment(namespace, "checkout", replicas=1)
    pod = state.items("pods", namespace)[0]["metadata"]["name"]
    # The function's settings as that stack sets them; the namespace list keeps the cycle off other tests' incidents.
    for name, value in {"AUTONOMY_ENABLED": "true", "AUTONOMY_ALLOWED_NAMESPACES": namespace,
                        "ACTIONS_KUBECONFIG": kubeconfig, "ACTION_VERIFY_SECONDS": "3"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    reset_settings()
    reset_scope()
    try:
        with client(base_url, workspace) as http:
            incident_id = open_incident(http, pod, namespace=namespace)
            persist_diagnosis(default_scope(), workspace, incident_id, [restart(namespace, pod)])
            runner = ScheduleRunner(
                rule,
                local_stack.handler("ActionsFunction"),
                context_factory(spec.function_name, spec.arn, spec.memory_size, spec.timeout),
                region=local_stack.region,
                rule_arn="arn:aws:events:us-east-1:123456789012:rule/ActionsFunction-AutonomyCycle",
                interval_seconds=0.2,
            ).start()
            try:
                deadline = time.monotonic() + 30
                while not autonomous_events(http, incident_id) and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                runner.stop()
            assert runner.errors == 0 and runner.invocations >= 1
            assert runner.last_result["ran"] is True and runner.last_result["trigger"] == "schedule"
            [event] = autonomous_events(http, incident_id)
            assert event["event_type"] == "action_dry_run" and event["payload"]["autonomous"] is True
            assert kube.writes() == []
    finally:
        monkeypatch.undo()
        reset_settings()
        reset_scope()

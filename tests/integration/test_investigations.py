"""Investigations end to end on the local stack: the template's state machine runs (moto's ASL
interpreter), its Task states run the steps handler in-process, and the diagnosis lands on the incident."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.test_alert_to_incident import ALERT
from tests.support.servers import wait_for

OOM_ALERT = dict(
    ALERT,
    title="Pod payments-api-7d8f9c6b5-x2k4m OOMKilled",
    description="Container was OOMKilled: memory limit 512Mi exceeded",
)


def finished(api: httpx.Client, investigation_id: str) -> dict | None:
    body = api.get(f"/investigations/{investigation_id}").json()
    return body if body["status"] != "running" else None


def test_investigation_on_demand_runs_the_state_machine_and_yields_a_diagnosis(api: httpx.Client):
    incident_id = api.post("/webhook", json=OOM_ALERT).json()["incident_id"]
    started = api.post(f"/incidents/{incident_id}/investigate")
    assert started.status_code == 202 and started.json()["status"] == "running"
    investigation = wait_for(lambda: finished(api, started.json()["investigation_id"]), timeout=60, interval=0.25)

    assert investigation["status"] == "succeeded", investigation
    assert [step["name"] for step in investigation["steps"]] == [
        "gather_cluster", "gather_changes", "gather_history", "analyze", "evaluate_actions", "persist",
    ]  # fmt: skip
    assert all(step["duration_ms"] >= 0 for step in investigation["steps"])
    result = investigation["result"]
    # No cluster here: the diagnosis says what it could not gather instead of failing.
    assert result["not_gathered"] and all("no Kubernetes cluster configured" in line for line in result["not_gathered"])
    assert result["incident_id"] == incident_id

    diagnosis = api.get(f"/incidents/{incident_id}/diagnosis").json()
    assert diagnosis["summary"] == result["summary"]
    for action in diagnosis["suggested_actions"]:
        assert {"allowed", "approval_required", "dry_run", "blast_radius", "policy_name", "policy_reason"} <= set(
            action
        )
        assert action["dry_run"] is True
    timeline = api.get(f"/incidents/{incident_id}/timeline").json()["events"]
    events = [event["event_type"] for event in timeline]
    # Seed 001's names: diagnosis_started, then diagnosis_completed with the summary and the actions' count.
    assert "diagnosis_started" in events and events[-1] == "diagnosis_completed"
    assert not [name for name in events if name.startswith("investigation_")]
    completed = timeline[-1]["payload"]
    assert completed["summary"] == result["summary"]
    assert completed["suggested_actions_count"] == len(result["suggested_actions"])
    # What could not be gathered is on the timeline too, not only in the result.
    assert completed["not_gathered"] == result["not_gathered"][:20]


def test_diagnosis_of_an_incident_never_investigated_is_404(api: httpx.Client):
    incident_id = api.post("/webhook", json=dict(ALERT, title="Never investigated")).json()["incident_id"]
    response = api.get(f"/incidents/{incident_id}/diagnosis")
    assert response.status_code == 404 and response.json()["status"] == "not_investigated"


def test_investigation_of_another_workspaces_incident_is_404(api: httpx.Client, base_url: str):
    incident_id = api.post("/webhook", json=dict(ALERT, title="Mine only")).json()["incident_id"]
    with httpx.Client(timeout=60, base_url=base_url, headers={"X-Workspace-Id": "ws-someone-else"}) as other:
        assert other.post(f"/incidents/{incident_id}/investigate").status_code == 404


@pytest.fixture(scope="module")
def auto_url(serve_with_settings, local_stack) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Automatic investigation on, and the starter consuming the investigation queue as Lambda would."""
    (starter,) = local_stack.start_pollers(["InvestigationStarterFunction"])
    try:
        with serve_with_settings(auto_investigate=True, diagnosis_wait_seconds=20) as url:
            yield url
    finally:
        starter.stop()
        local_stack.pollers.remove(starter)


def test_a_new_incident_is_investigated_automatically_and_diagnosis_waits_for_it(auto_url: str, workspace: str):
    with httpx.Client(base_url=auto_url, headers={"X-Workspace-Id": workspace}, timeout=60) as http:
        incident_id = http.post("/webhook", json=dict(OOM_ALERT, title="Auto-investigated OOM")).json()["incident_id"]
        # The diagnosis endpoint waits (bounded) for the running investigation instead of answering 404.
        diagnosis = http.get(f"/incidents/{incident_id}/diagnosis")
        assert diagnosis.status_code == 200, diagnosis.text
        assert diagnosis.json()["incident_id"] == incident_id
        events = [e["event_type"] for e in http.get(f"/incidents/{incident_id}/timeline").json()["events"]]
        assert "diagnosis_started" in events and "diagnosis_completed" in events


def test_a_group_is_investigated_once_and_its_children_share_the_diagnosis(auto_url: str, workspace: str):
    """A storm of one service: the root is investigated, the grouped children share its diagnosis (never one
    investigation per incident)."""
    with httpx.Client(base_url=auto_url, headers={"X-Workspace-Id": workspace}, timeout=60) as http:
        sent = [
            http.post("/webhook", json=dict(OOM_ALERT, service="cart", title=f"cart symptom {n}")).json()
            for n in range(4)
        ]
        root_id = sent[0]["incident_id"]
        assert all(body["group_id"] == root_id for body in sent[1:]), sent
        diagnoses = [http.get(f"/incidents/{body['incident_id']}/diagnosis") for body in sent]
        assert all(response.status_code == 200 for response in diagnoses), [r.text for r in diagnoses]
        # One diagnosis for the group: the root's, whichever member is asked.
        assert {response.json()["summary"] for response in diagnoses} == {diagnoses[0].json()["summary"]}
        assert [response.json()["incident_id"] for response in diagnoses] == [body["incident_id"] for body in sent]
        assert {response.json()["investigated_incident_id"] for response in diagnoses} == {root_id}
        root_events = [e["event_type"] for e in http.get(f"/incidents/{root_id}/timeline").json()["events"]]
        assert root_events.count("diagnosis_started") == 1
        for body in sent[1:]:
            events = [e["event_type"] for e in http.get(f"/incidents/{body['incident_id']}/timeline").json()["events"]]
            assert "incident_grouped" in events and "diagnosis_started" not in events


def test_similar_incidents_carry_how_they_were_resolved(api: httpx.Client):
    old = api.post("/webhook", json=dict(OOM_ALERT, service="checkout", title="OOMKilled on checkout-api")).json()
    api.post(f"/incidents/{old['incident_id']}/resolve", json={"note": "Raised the memory limit to 1Gi"})
    new = api.post("/webhook", json=dict(OOM_ALERT, service="checkout", title="checkout-api OOMKilled again")).json()
    body = api.get(f"/incidents/{new['incident_id']}/similar").json()
    assert body["incident_id"] == new["incident_id"]
    top = body["similar_incidents"][0]
    assert top["id"] == old["incident_id"] and top["state"] == "resolved"
    assert top["resolution"] == "Raised the memory limit to 1Gi" and 0 < top["similarity_score"] <= 1

    # Investigating the resolved incident again keeps its resolution in the knowledge.
    started = api.post(f"/incidents/{old['incident_id']}/investigate").json()
    wait_for(lambda: finished(api, started["investigation_id"]), timeout=60, interval=0.25)
    again = api.get(f"/incidents/{new['incident_id']}/similar").json()["similar_incidents"][0]
    assert again["id"] == old["incident_id"] and again["resolution"] == "Raised the memory limit to 1Gi"


def test_analyze_step_with_a_model_configured_uses_the_agent(api: httpx.Client, workspace: str):
    from aisre.core.scope import Scope
    from aisre.core.settings import get_settings
    from aisre.investigations.providers import investigation_service
    from tests.support.scripted_openai import Reply, ScriptedOpenAI
    from tests.support.servers import serve_app

    model_server = ScriptedOpenAI()
    incident_id = api.post("/webhook", json=dict(OOM_ALERT, title="Model-investigated OOM")).json()["incident_id"]
    state = {"workspace_id": workspace, "incident_id": incident_id, "gathered": []}
    with serve_app(model_server.app()) as url:
        scope = Scope(
            get_settings().model_copy(
                update={"aisre_model": "gpt-test", "openai_base_url": f"{url}/v1", "openai_api_key": "sk-test"}
            )
        )
        model_server.reset(Reply(content="## Conclusions and Possible Root causes\nThe container ran out of memory."))
        answered = scope.get(investigation_service).analyze(state)
        assert "ran out of memory" in answered["diagnosis"]["answer"]
        assert answered["usage"]["prompt_tokens"] == 100 and answered["diagnosis"]["llm_error"] is None

        # The model failing leaves the analyzer's answer standing, with a note of why.
        model_server.reset(Reply(status=500), Reply(status=500))
        fallback = scope.get(investigation_service).analyze(state)
        assert fallback["diagnosis"]["llm_error"]
        assert fallback["diagnosis"]["summary"] == answered["diagnosis"]["summary"]


def test_diagnosis_names_the_runbooks_the_alert_matches(api: httpx.Client):
    incident_id = api.post("/webhook", json=dict(ALERT, title="KubePodCrashLooping")).json()["incident_id"]
    started = api.post(f"/incidents/{incident_id}/investigate").json()
    investigation = wait_for(lambda: finished(api, started["investigation_id"]), timeout=60, interval=0.25)
    assert "crashloop-triage" in investigation["result"]["matched_playbooks"]


def test_the_starter_function_reports_a_malformed_request_and_starts_the_rest(local_stack, api: httpx.Client):  # type: ignore[no-untyped-def]
    from aisre.investigations.model.start_requests import InvestigationRequest
    from aisre.local.functions import LambdaContext

    workspace = api.headers["X-Workspace-Id"]
    incident_id = api.post("/webhook", json=dict(OOM_ALERT, title="Queued by hand")).json()["incident_id"]
    good = InvestigationRequest(workspace, incident_id).to_message()
    event = {"Records": [{"messageId": "bad", "body": '{"incident_id": 7}'}, {"messageId": "good", "body": good}]}
    handler = local_stack.handler("InvestigationStarterFunction")
    result = handler(event, LambdaContext("starter", "arn:aws:lambda:us-east-1:123456789012:function:starter", 256, 60))
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    # Held until its execution ended: the diagnosis is there when the function returns.
    diagnosis = api.get(f"/incidents/{incident_id}/diagnosis")
    assert diagnosis.status_code == 200 and diagnosis.json()["incident_id"] == incident_id


def test_with_no_cluster_the_alert_text_names_the_cause_with_less_confidence(api: httpx.Client):
    # No pod, no namespace, no cluster: the alert's words are the only evidence there is.
    alert = {"title": "OOMKilled on checkout-api", "severity": "critical", "service": "checkout-api"}
    incident_id = api.post("/webhook", json=alert).json()["incident_id"]
    started = api.post(f"/incidents/{incident_id}/investigate").json()
    investigation = wait_for(lambda: finished(api, started["investigation_id"]), timeout=60, interval=0.25)
    assert investigation["status"] == "succeeded", investigation

    diagnosis = api.get(f"/incidents/{incident_id}/diagnosis").json()
    assert "OOM kill" in diagnosis["root_cause"] and diagnosis["summary"] == diagnosis["root_cause"]
    # Less sure than a cluster's own word (the oom_killed rule reading the pod's last state says 0.95).
    assert diagnosis["confidence"] == 0.6
    assert "rule `alert_reports_oom`" in diagnosis["answer"]
    assert "alert title: OOMKilled on checkout-api" in diagnosis["answer"]  # its evidence line
    assert diagnosis["matched_playbooks"][0] == "oom-recovery"


def test_the_alerts_grouped_under_a_root_are_evidence_of_its_investigation(api: httpx.Client):
    """The root says little; a child of its group says what happened: the group's one investigation reads both."""
    root = api.post("/webhook", json={"title": "checkout latency high", "severity": "critical", "service": "co"})
    child = api.post("/webhook", json={"title": "Pod checkout-7d9 OOMKilled", "severity": "high", "service": "co"})
    root_id = root.json()["incident_id"]
    assert child.json()["group_id"] == root_id
    started = api.post(f"/incidents/{root_id}/investigate").json()
    investigation = wait_for(lambda: finished(api, started["investigation_id"]), timeout=60, interval=0.25)
    assert investigation["status"] == "succeeded", investigation
    diagnosis = api.get(f"/incidents/{root_id}/diagnosis").json()
    assert "OOM kill" in diagnosis["root_cause"]
    assert "alert grouped alert: Pod checkout-7d9 OOMKilled" in diagnosis["answer"]  # the child's words, cited

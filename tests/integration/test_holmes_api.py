"""The HolmesGPT-compatible API over real HTTP: without a model (the analyzer) and with a scripted model."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aisre.core.auth import hash_key
from tests.support.scripted_openai import MODEL_NAME, Reply, ScriptedOpenAI

MODEL = MODEL_NAME
NO_MODEL = "No language model is configured"
OOM_REQUEST: dict[str, Any] = {
    "source": "prometheus",
    "title": "KubePodCrashLooping",
    "description": "Container app of pod payments-api-7d8f9c6b5-x2k4m was OOMKilled: memory limit 512Mi exceeded",
    "subject": {"name": "payments-api-7d8f9c6b5-x2k4m", "namespace": "shop", "kind": "pod", "container": "app"},
    "context": {"labels": {"alertname": "KubePodCrashLooping", "severity": "critical"}},
    "include_tool_calls": True,
    "include_tool_call_results": True,
}
USER_FIRST = {"role": "user", "content": "the history must begin with a system message"}
MODEL_ANSWER = """# Alert Explanation
The pod payments-api is restarting after OOM kills.

# Key Findings
- `Last State: Terminated, Reason: OOMKilled, Exit Code: 137`

# Conclusions and Possible Root Causes
1. The memory limit of 512Mi is below the service's peak usage.

# Next Steps
- Raise the memory limit to 1Gi (needs approval).
"""


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


# -- without a model ------------------------------------------------------------------------------


def test_investigate_without_a_model_states_the_analyzers_view_of_the_alert(api: httpx.Client):
    response = api.post("/api/investigate", json=OOM_REQUEST)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"analysis", "sections", "tool_calls", "instructions", "metadata"} <= set(body)
    assert "OOM" in body["analysis"] and "alert_reports_oom" in body["analysis"]
    assert NO_MODEL in body["analysis"]
    assert "OOM" in body["sections"]["Conclusions and Possible Root Causes"]
    assert "KubePodCrashLooping" in body["sections"]["Alert Explanation"]
    assert body["metadata"]["model"] is None and body["metadata"]["engine"] == "analyzer"
    assert body["metadata"]["findings"][0]["rule"] == "alert_reports_oom"
    # No cluster here: every tool call says so in its result, an error to HolmesGPT's clients.
    calls = body["tool_calls"]
    assert calls and {"tool_call_id", "tool_name", "description", "result"} <= set(calls[0])
    assert calls[0]["tool_name"] == "kubectl_describe" and "payments-api-7d8f9c6b5-x2k4m" in calls[0]["description"]
    assert all(call["result"]["status"] == "error" for call in calls)
    assert all("no Kubernetes cluster configured" in call["result"]["error"] for call in calls)
    assert len({call["tool_call_id"] for call in calls}) == len(calls)


def test_tool_calls_and_their_results_only_when_asked_for(api: httpx.Client):
    plain = api.post("/api/investigate", json=dict(OOM_REQUEST, include_tool_calls=False)).json()
    assert plain["tool_calls"] == []  # a list, as HolmesGPT's
    # The seed's own example names the pod with a `pod` key.
    seed = dict(
        OOM_REQUEST,
        subject={"namespace": "default", "pod": "my-pod"},
        include_tool_call_results=False,
    )
    calls = api.post("/api/investigate", json=seed).json()["tool_calls"]
    assert calls[0]["description"] == "kubectl_describe(kind=pod, name=my-pod, namespace=default)"
    # How each call ended and with what parameters, but not what the tool answered.
    assert all(call["result"]["data"] is None and call["result"]["error"] is None for call in calls)
    assert calls[0]["result"]["params"] == {"kind": "pod", "name": "my-pod", "namespace": "default"}


def test_requested_sections_name_the_answers_sections(api: httpx.Client):
    sections = {"Alert Explanation": "What fired", "Conclusions and Possible Root Causes": "Why"}
    body = api.post("/api/investigate", json=dict(OOM_REQUEST, sections=sections)).json()
    assert set(sections) <= set(body["sections"])


def test_stream_investigate_emits_each_tool_call_then_the_answer(api: httpx.Client):
    with api.stream("POST", "/api/stream/investigate", json=OOM_REQUEST) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = response.read().decode()
    events = sse_events(text)
    names = [name for name, _ in events]
    assert names[0] == "start_tool_calling" and names[-1] == "ai_answer_end"
    assert names.count("start_tool_calling") == names.count("tool_calling_result") >= 1
    started: set[str] = set()
    for name, data in events[:-1]:
        if name == "start_tool_calling":
            assert set(data) == {"tool_name", "id"}
            started.add(data["id"])
        else:
            assert name == "tool_calling_result" and data["tool_call_id"] in started  # a result follows its start
            assert data["status"] == "error" and data["description"].startswith(data["name"])
            assert "no Kubernetes cluster configured" in data["result"]["error"]
    final = events[-1][1]
    assert {"sections", "analysis", "instructions"} <= set(final)
    assert "alert_reports_oom" in final["analysis"] and final["sections"]["Alert Explanation"]


def test_chat_without_a_model_says_so_and_answers_from_the_analyzer(api: httpx.Client):
    history = [{"role": "system", "content": "You are a helpful assistant."}]
    ask = "Why was my pod OOMKilled?"
    response = api.post("/api/chat", json={"ask": ask, "conversation_history": history})
    assert response.status_code == 200, response.text
    body = response.json()
    assert NO_MODEL in body["analysis"] and "alert_reports_oom" in body["analysis"]
    assert body["conversation_history"] == [
        *history,
        {"role": "user", "content": ask},
        {"role": "assistant", "content": body["analysis"]},
    ]
    assert body["follow_up_actions"] == [] and isinstance(body["tool_calls"], list)


def test_issue_chat_without_a_model_says_so_and_uses_the_earlier_result(api: httpx.Client):
    request = {
        "ask": "How do I fix this issue?",
        "investigation_result": {"result": "Pod crashed due to OOM.", "tools": []},
        "issue_type": "CrashLoopBackOff",
        "conversation_history": [{"role": "system", "content": "You are a helpful assistant."}],
    }
    body = api.post("/api/issue_chat", json=request).json()
    assert NO_MODEL in body["analysis"]
    assert "Pod crashed due to OOM." in body["analysis"]
    assert "Raise the container's memory limit" in body["analysis"]  # the OOM finding's next step
    assert body["conversation_history"][-1] == {"role": "assistant", "content": body["analysis"]}


def test_workload_health_check_and_chat_without_a_model(api: httpx.Client):
    resource = {"name": "checkout", "namespace": "shop", "kind": "Deployment"}
    check = api.post(
        "/api/workload_health_check",
        json={"ask": "Why is my deployment unhealthy?", "resource": resource, "include_tool_calls": True},
    )
    assert check.status_code == 200, check.text
    body = check.json()
    assert body["sections"] is None and NO_MODEL in body["report"] and "checkout" in body["report"]
    # HolmesGPT's verdict, as the JSON text of `analysis`: nothing could be read here (no cluster), so not healthy.
    verdict = json.loads(body["analysis"])
    assert verdict == {"workload_healthy": False, "root_cause_summary": body["root_cause_summary"]}
    assert body["workload_healthy"] is False and "no Kubernetes cluster configured" in body["root_cause_summary"]
    assert body["tool_calls"][0]["description"] == "kubectl_describe(kind=deployment, name=checkout, namespace=shop)"
    chat = api.post(
        "/api/workload_health_chat",
        json={
            "ask": "Check the workload health.",
            "workload_health_result": {"analysis": "Previous health check: all good.", "tools": []},
            "resource": resource,
        },
    ).json()
    assert NO_MODEL in chat["analysis"] and "Previous health check: all good." in chat["analysis"]


ANALYZER = "aisre-analyzer"
# One valid body per /api route that takes a `model`.
MODEL_ROUTES: dict[str, dict[str, Any]] = {
    "/api/investigate": OOM_REQUEST,
    "/api/stream/investigate": OOM_REQUEST,
    "/api/chat": {"ask": "Why was my pod OOMKilled?"},
    "/api/issue_chat": {"ask": "Fix?", "investigation_result": {"result": "OOM."}, "issue_type": "OOMKilled"},
    "/api/workload_health_check": {"ask": "Healthy?", "resource": {"name": "checkout", "namespace": "shop"}},
    "/api/workload_health_chat": {
        "ask": "Healthy?",
        "workload_health_result": {"analysis": "all good"},
        "resource": {"name": "checkout", "namespace": "shop"},
    },
}


def test_model_lists_the_analyzer_without_a_model(api: httpx.Client):
    assert api.get("/api/model").json() == {"model_name": [ANALYZER]}


@pytest.mark.parametrize("path", list(MODEL_ROUTES))
def test_a_request_naming_an_unknown_model_is_400_naming_the_available_ones(api: httpx.Client, path: str):
    response = api.post(path, json=dict(MODEL_ROUTES[path], model="gpt-4o"))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == "model" and "gpt-4o" in error["message"] and ANALYZER in error["message"]
    assert error["details"] == {"available": [ANALYZER]}


@pytest.mark.parametrize("path", list(MODEL_ROUTES))
def test_a_request_naming_the_analyzer_gets_the_analyzer(api: httpx.Client, path: str):
    response = api.post(path, json=dict(MODEL_ROUTES[path], model=ANALYZER))
    assert response.status_code == 200, response.text
    if path != "/api/stream/investigate":
        assert response.json()["metadata"]["engine"] == "analyzer"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/investigate", {k: v for k, v in OOM_REQUEST.items() if k != "title"}, "title"),
        ("/api/investigate", dict(OOM_REQUEST, subject="my-pod"), "subject"),
        ("/api/stream/investigate", {k: v for k, v in OOM_REQUEST.items() if k != "context"}, "context"),
        ("/api/chat", {"conversation_history": []}, "ask"),
        ("/api/chat", {"ask": "hi", "conversation_history": [USER_FIRST]}, "conversation_history"),
        ("/api/issue_chat", {"ask": "hi", "investigation_result": {}}, "issue_type"),
        ("/api/workload_health_check", {"ask": "hi"}, "resource"),
    ],
)
def test_a_missing_or_wrong_field_is_422_naming_it(api: httpx.Client, path: str, body: dict[str, Any], field: str):
    response = api.post(path, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_holmes_routes_need_a_key_when_keys_are_configured(serve_with_settings):  # type: ignore[no-untyped-def]
    keys = f"sha256:{hash_key('acme-key')}:ws-acme"
    with serve_with_settings(api_keys=keys) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.post("/api/investigate", json=OOM_REQUEST).status_code == 401
        assert http.get("/api/model").status_code == 401
        other = http.get("/api/model", headers={"X-API-Key": "acme-key", "X-Workspace-Id": "ws-other"})
        assert other.status_code == 404
        assert http.get("/api/model", headers={"X-API-Key": "acme-key"}).status_code == 200


# -- with a model ---------------------------------------------------------------------------------


def test_investigate_with_a_model_returns_its_sections_and_usage(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    server = scripted[0]
    describe = {"kind": "pod", "name": "payments-api-7d8f9c6b5-x2k4m", "namespace": "shop"}
    server.reset(
        Reply(tool_calls=[("kubectl_previous_logs", {"pod_name": describe["name"], "namespace": "shop"})]),
        Reply(content=MODEL_ANSWER, usage=(300, 80)),
    )
    body = model_api.post("/api/investigate", json=OOM_REQUEST).json()
    assert body["analysis"] == MODEL_ANSWER.strip()
    assert body["sections"]["Conclusions and Possible Root Causes"].startswith("1. The memory limit of 512Mi")
    assert body["sections"]["Next Steps"] == "- Raise the memory limit to 1Gi (needs approval)."
    metadata = body["metadata"]
    assert metadata["model"] == MODEL and metadata["engine"] == "llm" and metadata["llm_error"] is None
    assert metadata["usage"] == {"prompt_tokens": 400, "completion_tokens": 100, "total_tokens": 500, "cost_usd": None}
    # The analyzer's gathering and the model's own call, each reported once, in order.
    names = [call["tool_name"] for call in body["tool_calls"]]
    assert names[0] == "kubectl_describe" and names[-1] == "kubectl_previous_logs"
    # The model saw the analyzer's findings, fenced as data.
    first_prompt = server.requests[0]["messages"][1]["content"]
    assert "alert_reports_oom" in first_prompt and "<untrusted-data" in first_prompt


def test_stream_with_a_model_reports_the_models_tool_calls_and_answer(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    server = scripted[0]
    server.reset(
        Reply(tool_calls=[("kubectl_events", {"resource_type": "pod", "pod_name": "api-1", "namespace": "shop"})]),
        Reply(content=MODEL_ANSWER),
    )
    request = dict(OOM_REQUEST, subject={"namespace": "shop"})  # no object named: only the model calls a tool
    with model_api.stream("POST", "/api/stream/investigate", json=request) as response:
        events = sse_events(response.read().decode())
    assert [name for name, _ in events] == ["start_tool_calling", "tool_calling_result", "ai_answer_end"]
    assert events[0][1]["tool_name"] == "kubectl_events" and events[1][1]["tool_call_id"] == events[0][1]["id"]
    assert events[2][1]["sections"]["Alert Explanation"].startswith("The pod payments-api")


def test_chat_with_a_model_answers_with_its_words_and_usage(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    server = scripted[0]
    server.reset(Reply(content="Raise the memory limit of payments-api to 1Gi.", usage=(50, 10)))
    history = [{"role": "system", "content": "You are a helpful assistant."}]
    body = model_api.post("/api/chat", json={"ask": "Why OOMKilled?", "conversation_history": history}).json()
    assert body["analysis"] == "Raise the memory limit of payments-api to 1Gi."
    assert body["metadata"]["usage"]["total_tokens"] == 60 and NO_MODEL not in body["analysis"]
    sent = server.requests[0]["messages"]
    # One system message: ours, then the caller's own.
    assert [m["role"] for m in sent] == ["system", "user"] and "Why OOMKilled?" in sent[-1]["content"]
    assert sent[0]["content"].endswith("\n\nYou are a helpful assistant.")
    # The configured model first (a request naming none gets it), then the analyzer.
    assert model_api.get("/api/model").json() == {"model_name": [MODEL, ANALYZER]}


def test_chat_with_a_model_gives_it_the_tools_and_the_analyzers_answer(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    server = scripted[0]
    server.reset(
        Reply(tool_calls=[("kubectl_events", {"resource_type": "pod", "pod_name": "api-1", "namespace": "shop"})]),
        Reply(content="The events show nothing unusual for api-1.", usage=(60, 12)),
    )
    body = model_api.post("/api/chat", json={"ask": "Is pod api-1 in namespace shop healthy?"}).json()
    assert body["analysis"] == "The events show nothing unusual for api-1."
    # The engine's own reads first, then the model's call through the same read-only tools.
    assert body["tool_calls"][-1]["tool_name"] == "kubectl_events"
    first = server.requests[0]
    assert first["tools"] and "<untrusted-data" in first["messages"][-1]["content"]
    assert server.requests[1]["messages"][-1]["role"] == "tool"


def test_with_a_model_a_request_may_choose_the_analyzer_or_the_model_but_no_other(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    server = scripted[0]
    server.reset()
    chosen = model_api.post("/api/chat", json={"ask": "Why was my pod OOMKilled?", "model": ANALYZER}).json()
    assert chosen["metadata"]["engine"] == "analyzer" and "alert_reports_oom" in chosen["analysis"]
    assert NO_MODEL not in chosen["analysis"]  # one is configured; this request chose the analyzer
    assert server.requests == []  # the model was not asked
    server.reset(Reply(content="From the model."))
    named = model_api.post("/api/chat", json={"ask": "Why?", "model": MODEL}).json()
    assert named["analysis"] == "From the model." and named["metadata"]["model"] == MODEL
    unknown = model_api.post("/api/investigate", json=dict(OOM_REQUEST, model="gpt-4o"))
    assert unknown.status_code == 400 and unknown.json()["error"]["details"] == {"available": [MODEL, ANALYZER]}


def test_a_failing_model_falls_back_to_the_analyzer_and_says_why(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    scripted[0].reset(Reply(status=500), Reply(status=500), Reply(status=500), Reply(status=500))
    body = model_api.post("/api/investigate", json=OOM_REQUEST).json()
    assert body["metadata"]["llm_error"] and body["metadata"]["engine"] == "analyzer"
    assert "alert_reports_oom" in body["analysis"]

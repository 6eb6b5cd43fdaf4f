"""HolmesGPT's own models as the referee of the HolmesGPT-compatible API (holmesgpt_models/SOURCE.md): every
request is built with HolmesGPT's request models and sent as its clients send them, and every response, event
and multi-turn history is validated with HolmesGPT's response models: 0.45 for chat and its stream, 0.21 for
investigate and issue chat, 0.19 for workload health (the last releases that had those models)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any

import httpx
import jsonschema
import pytest
from pydantic import BaseModel

from aisre.core.auth import hash_key
from aisre.investigations.model.evidence import ToolResult
from aisre.investigations.providers import chat_model, tool_runner
from aisre.investigations.service.holmes import CHAT_SYSTEM_PROMPT
from tests.contract.holmesgpt_models.v0_19 import models as h19
from tests.contract.holmesgpt_models.v0_21 import models as h21
from tests.contract.holmesgpt_models.v0_21 import stream as h21_stream
from tests.contract.holmesgpt_models.v0_45 import models as h45
from tests.contract.holmesgpt_models.v0_45 import stream as h45_stream
from tests.contract.holmesgpt_models.v0_45 import tools as h45_tools
from tests.support.scripted_openai import MODEL_NAME, Reply, ScriptedOpenAI

OOM = "Container app of pod payments-api-7d8f9c6b5-x2k4m was OOMKilled: memory limit 512Mi exceeded"
RESOURCE = {"name": "checkout", "namespace": "shop", "kind": "Deployment"}
# HolmesGPT's error event, as its create_sse_error_message writes it: the keys its clients read.
ERROR_KEYS = set(json.loads(h45_stream.create_sse_error_message("d", 1, "m").split("data: ", 1)[1]))
STATUSES = {status.value for status in h45_tools.StructuredToolResultStatus}


def send(http: httpx.Client, path: str, request: BaseModel) -> httpx.Response:
    """POST what a HolmesGPT client posts: its request model as JSON, every field (defaults and nulls) included."""
    return http.post(path, content=request.model_dump_json(), headers={"Content-Type": "application/json"})


def stream(http: httpx.Client, path: str, request: BaseModel) -> list[tuple[str, dict[str, Any]]]:
    headers = {"Content-Type": "application/json"}
    with http.stream("POST", path, content=request.model_dump_json(), headers=headers) as response:
        return events(response)


def answered(http: httpx.Client, path: str, request: BaseModel) -> dict[str, Any]:
    response = send(http, path, request)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    assert response.status_code == 200, response.read()
    assert response.headers["content-type"].startswith("text/event-stream")
    found = []
    for block in response.read().decode().strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((fields["event"], json.loads(fields["data"])))
    return found


def investigate_request(**fields: Any) -> h21.InvestigateRequest:
    return h21.InvestigateRequest(
        source="prometheus",
        title="KubePodCrashLooping",
        description=OOM,
        subject={"name": "payments-api-7d8f9c6b5-x2k4m", "namespace": "shop", "kind": "pod"},
        context={"labels": {"alertname": "KubePodCrashLooping"}, "issue_type": "KubePodCrashLooping"},
        **fields,
    )


# -- investigate ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("calls", "results"), [(False, False), (True, False), (True, True)])
def test_investigate_answers_holmesgpts_investigation_result(api: httpx.Client, calls: bool, results: bool):
    request = investigate_request(include_tool_calls=calls, include_tool_call_results=results)
    body = answered(api, "/api/investigate", request)
    result = h21.InvestigationResult.model_validate(body)
    assert result.analysis and "alert_reports_oom" in result.analysis and result.sections
    if not calls:
        assert body["tool_calls"] == []  # a list when not asked for, as HolmesGPT's
        return
    assert result.tool_calls and len({call.tool_call_id for call in result.tool_calls}) == len(result.tool_calls)
    # No cluster here: the platform's "unavailable" is HolmesGPT's error, its reason told when results are asked for.
    assert {call.result.status for call in result.tool_calls} == {h21.StructuredToolResultStatus.ERROR}
    errors = {call.result.error for call in result.tool_calls}
    assert errors == ({"no Kubernetes cluster configured (set KUBECONFIG, or run in-cluster)"} if results else {None})


def refereed(found: list[tuple[str, dict[str, Any]]], release: ModuleType, stream_of: ModuleType) -> list[str]:
    """The events' names, each event one of HolmesGPT's (its StreamMessage), each tool result its ToolCallResult,
    each start followed by its result, the answer last."""
    names = [stream_of.StreamMessage(event=name, data=data).event.value for name, data in found]
    assert names[-1] == "ai_answer_end" and names.count("start_tool_calling") == names.count("tool_calling_result")
    for name, data in found[:-1]:
        if name == "tool_calling_result":
            assert release.ToolCallResult.model_validate(data).result.status.value in STATUSES
    return names


def test_stream_investigate_events_are_holmesgpts(api: httpx.Client):
    found = stream(api, "/api/stream/investigate", investigate_request())
    assert refereed(found, h21, h21_stream).count("tool_calling_result") >= 1
    final = h21.InvestigationResult.model_validate(found[-1][1])
    assert final.sections and final.analysis and "alert_reports_oom" in final.analysis


# -- chat: one turn, then the returned history sent back -----------------------------------------------------

ChatTurn = Callable[[list[dict[str, Any]] | None], BaseModel]
# Each chat route: the request of the HolmesGPT release that last had it (given a history), and its response model.
CHAT_ROUTES: dict[str, tuple[ChatTurn, type[BaseModel]]] = {
    "/api/chat": (
        lambda history: h45.ChatRequest(ask="Why was my pod OOMKilled?", conversation_history=history),
        h45.ChatResponse,
    ),
    "/api/issue_chat": (
        lambda history: h21.IssueChatRequest(
            ask="How do I fix this issue?",
            investigation_result=h21.IssueInvestigationResult(result="Pod crashed due to OOM.", tools=[]),
            issue_type="CrashLoopBackOff",
            conversation_history=history,
        ),
        h21.ChatResponse,
    ),
    "/api/workload_health_chat": (
        lambda history: h19.WorkloadHealthChatRequest(
            ask="Is it healthy now?",
            workload_health_result=h19.WorkloadHealthInvestigationResult(analysis="Previous health check: all good."),
            resource=RESOURCE,
            conversation_history=history,
        ),
        h19.ChatResponse,
    ),
}


def chat_turns(http: httpx.Client, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two turns as a HolmesGPT client makes them: the second sends back the first's conversation_history."""
    build, response_model = CHAT_ROUTES[path]
    first = answered(http, path, build(None))
    response_model.model_validate(first)
    # HolmesGPT's own request model refuses a history that does not begin with a system message.
    second = answered(http, path, build(first["conversation_history"]))
    response_model.model_validate(second)
    return first, second


@pytest.mark.parametrize("path", list(CHAT_ROUTES))
def test_chat_routes_answer_holmesgpts_chat_response_and_take_their_history_back(api: httpx.Client, path: str):
    first, second = chat_turns(api, path)
    history = first["conversation_history"]
    assert history[0] == {"role": "system", "content": CHAT_SYSTEM_PROMPT}
    assert [m["role"] for m in history] == ["system", "user", "assistant"] and history[2]["content"] == first[
        "analysis"
    ]
    # The second turn's history is the first's, then this turn: the system message is not repeated.
    assert second["conversation_history"][:3] == history
    assert [m["role"] for m in second["conversation_history"][3:]] == ["user", "assistant"]
    assert second["pending_approvals"] == [] and isinstance(second["tool_calls"], list)


def test_a_returned_history_sent_back_reaches_the_model_with_one_system_message(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    server = scripted[0]
    for path in CHAT_ROUTES:
        server.reset(Reply(content="First answer."), Reply(content="Second answer."))
        first, second = chat_turns(model_api, path)
        assert (first["analysis"], second["analysis"]) == ("First answer.", "Second answer.")
        sent = server.requests[1]["messages"]
        assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"], path
        assert sent[0]["content"] == CHAT_SYSTEM_PROMPT  # ours, once, though the history sent back began with it
        assert sent[2]["content"] == "First answer."


def test_the_analyzer_reads_the_question_not_the_history(api: httpx.Client):
    """Earlier turns travel back untouched; the analyzer answers the question asked, not what they said."""
    history = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": OOM},
        {"role": "assistant", "content": "The container was OOMKilled (rule `alert_reports_oom`)."},
    ]
    body = answered(
        api, "/api/chat", h45.ChatRequest(ask="What is the capital of France?", conversation_history=history)
    )
    assert body["conversation_history"][:3] == history
    assert "alert_reports_oom" not in body["analysis"] and body["metadata"]["findings"] == []


# -- chat: HolmesGPT 0.45's fields ---------------------------------------------------------------------------

PARTS_HISTORY: list[dict[str, Any]] = [
    {"role": "system", "content": [{"type": "text", "text": "You are a helpful assistant."}]},
    {"role": "developer", "content": "Prefer short answers."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Here is the dashboard."},
            {"type": "image_url", "image_url": {"url": "https://grafana.example/render/d/x.png"}},
        ],
    },
    {"role": "assistant", "content": "I see a memory spike."},
]


def full_chat_request(**fields: Any) -> h45.ChatRequest:
    return h45.ChatRequest(
        ask="Why was my pod OOMKilled?",
        conversation_history=PARTS_HISTORY,
        enable_tool_approval=True,
        tool_decisions=[h45.ToolApprovalDecision(tool_call_id="call_9", approved=True, save_prefixes=["kubectl get"])],
        images=[
            "https://grafana.example/render/d/x.png",
            {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
        ],
        response_format={"type": "json_schema", "json_schema": {"name": "Answer", "schema": {"type": "object"}}},
        additional_system_prompt="Name the namespace in every answer.",
        behavior_controls={"todowrite_instructions": False},
        frontend_tools=[h45.FrontendToolDefinition(name="open_dashboard", description="Opens a dashboard")],
        **fields,
    )


def not_applied(body: Mapping[str, Any]) -> set[str]:
    return {item["field"] for item in body["metadata"]["not_applied"]}


def test_holmesgpt_045_chat_fields_are_accepted_and_those_unused_are_named(api: httpx.Client):
    body = answered(api, "/api/chat", full_chat_request())
    h45.ChatResponse.model_validate(body)
    assert body["pending_approvals"] == []  # read-only tools: no call waits for approval
    assert body["conversation_history"][:4] == PARTS_HISTORY  # parts, images and the developer message travel back
    unused = {"tool_decisions", "images", "behavior_controls", "frontend_tools"}
    assert not_applied(body) == unused | {"additional_system_prompt", "response_format"}  # the analyzer's
    plain = answered(api, "/api/chat", h45.ChatRequest(ask="Why was my pod OOMKilled?"))
    assert plain["metadata"]["not_applied"] == []


def test_a_model_is_told_the_callers_instructions_once_and_reads_text_parts(
    model_api: httpx.Client, scripted: tuple[ScriptedOpenAI, str]
):
    server = scripted[0]
    server.reset(Reply(content='{"answer": "raise the limit"}'))
    body = answered(model_api, "/api/chat", full_chat_request(model=MODEL_NAME))
    h45.ChatResponse.model_validate(body)
    assert body["analysis"] == '{"answer": "raise the limit"}'
    assert not_applied(body) == {"tool_decisions", "images", "behavior_controls", "frontend_tools"}
    sent = server.requests[0]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    system = sent[0]["content"]
    assert system.startswith(CHAT_SYSTEM_PROMPT)
    for told in ("You are a helpful assistant.", "Prefer short answers.", "Name the namespace in every answer."):
        assert system.count(told) == 1
    assert '"name": "Answer"' in system  # the response format
    assert sent[1]["content"] == "Here is the dashboard."  # text parts as text; images are not read


# -- /api/chat streamed --------------------------------------------------------------------------------------


def test_chat_streams_holmesgpts_events_when_asked(api: httpx.Client):
    request = h45.ChatRequest(ask=OOM, stream=True, conversation_history=[{"role": "system", "content": "Be brief."}])
    found = stream(api, "/api/chat", request)
    refereed(found, h45, h45_stream)  # the tool calls the question leads to, as they run, then the answer
    final = h45.ChatResponse.model_validate(found[-1][1])
    assert "alert_reports_oom" in final.analysis
    assert [m["role"] for m in final.conversation_history] == ["system", "user", "assistant"]
    # The streamed history goes back as the next turn's, unstreamed.
    answered(api, "/api/chat", h45.ChatRequest(ask="And now?", conversation_history=final.conversation_history))


class BrokenTools:
    """A tool adapter broken past its promise (the port's `run` never raises; listing its tools does here)."""

    def available_tools(self) -> frozenset[str]:
        raise RuntimeError("the tool adapter is broken")

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        raise AssertionError("not reached")


@pytest.fixture(scope="module")
def broken_url(serve_with_settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_with_settings(parts={tool_runner: BrokenTools()}) as url:
        yield url


@pytest.mark.parametrize(
    ("path", "request_body"),
    [
        ("/api/stream/investigate", investigate_request()),
        ("/api/chat", h45.ChatRequest(ask="Why was my pod OOMKilled?", stream=True)),
    ],
)
def test_a_failure_after_the_stream_began_is_holmesgpts_error_event(
    broken_url: str, path: str, request_body: BaseModel
):
    with httpx.Client(base_url=broken_url, timeout=30) as http:
        found = stream(http, path, request_body)
    assert [name for name, _ in found] == ["error"]
    error = found[0][1]
    assert set(error) == ERROR_KEYS and error["success"] is False and isinstance(error["error_code"], int)
    assert "RuntimeError" in error["description"] and "broken" not in json.dumps(error)  # no internals told


# -- workload health -----------------------------------------------------------------------------------------

VERDICT_SCHEMA = h19.workload_health_structured_output["json_schema"]["schema"]
OOM_POD, SOUND_POD = "checkout-7d8f9c6b5-x2k4m", "checkout-7d8f9c6b5-h8k2p"
_DESCRIBE = """Name:         {name}
Namespace:    shop
Status:       Running
Containers:
  app:
    Image:          shop/checkout:1.4.2
    State:          Running
      Started:      Mon, 01 Jan 2026 10:05:00 +0000
{last}    Ready:          True
    Restart Count:  {restarts}
    Limits:
      memory:  512Mi
"""
_OOM_LAST = "    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n"


class Cluster:
    """A cluster of two pods, as kubectl describes them: one OOMKilled four times, one sound."""

    def available_tools(self) -> frozenset[str]:
        return frozenset({"kubectl_describe", "kubectl_logs", "kubectl_previous_logs", "kubectl_events"})

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        name = str(params.get("name", ""))
        if tool != "kubectl_describe" or name not in (OOM_POD, SOUND_POD):
            return ToolResult(tool, dict(params), "no_data")
        oom = name == OOM_POD
        text = _DESCRIBE.format(name=name, last=_OOM_LAST if oom else "", restarts=4 if oom else 0)
        return ToolResult(tool, dict(params), "success", text=text)


@pytest.fixture(scope="module")
def cluster_url(serve_with_settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_with_settings(parts={tool_runner: Cluster()}) as url:
        yield url


@pytest.fixture
def cluster(cluster_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cluster_url, timeout=30) as http:
        yield http


def health_check(http: httpx.Client, pod: str, ours: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A health check as HolmesGPT 0.19's client asks it (and `ours`: fields of this platform's own beside)."""
    resource = {"name": pod, "namespace": "shop", "kind": "Pod"}
    request = h19.WorkloadHealthRequest(ask="Is it healthy?", resource=resource, include_tool_calls=True, **fields)
    response = http.post("/api/workload_health_check", json={**request.model_dump(), **(ours or {})})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    result = h19.InvestigationResult.model_validate(body)
    assert result.sections is None and result.tool_calls
    verdict = json.loads(result.analysis or "")  # HolmesGPT's clients json.loads a health check's analysis
    jsonschema.validate(verdict, VERDICT_SCHEMA)
    assert (body["workload_healthy"], body["root_cause_summary"]) == (
        verdict["workload_healthy"],
        verdict["root_cause_summary"],
    )
    return body


def test_workload_health_check_answers_holmesgpts_structured_verdict(cluster: httpx.Client, api: httpx.Client):
    sick = health_check(cluster, OOM_POD)
    assert sick["workload_healthy"] is False and "OOMKilled" in sick["root_cause_summary"]
    assert "oom_killed" in sick["report"]  # the answer in words, with the finding's rule
    sound = health_check(cluster, SOUND_POD)
    assert sound["workload_healthy"] is True
    summary = sound["root_cause_summary"]
    assert summary.startswith("No problem found: pod checkout-7d8f9c6b5-h8k2p: Running, 1/1 containers ready")
    assert "Read by 1 tool call(s): kubectl_describe(" in summary
    # No cluster at all: nothing was looked at, so the workload is not called healthy, and the summary says why.
    unseen = health_check(api, SOUND_POD)
    assert unseen["workload_healthy"] is False and "could not be assessed" in unseen["root_cause_summary"]


def test_workload_health_check_reads_holmesgpts_spelling_of_stored_instructions(cluster: httpx.Client):
    mine = ["Check the HPA first."]
    # The platform's stored instructions: the catalog's runbooks that the findings call for, after the caller's.
    stored = health_check(cluster, OOM_POD, instructions=mine)["instructions"]
    assert stored[0] == mine[0] and stored[1].startswith("OOMKilled container recovery: ")
    assert health_check(cluster, OOM_POD, instructions=mine, stored_instrucitons=False)["instructions"] == mine
    ours_wins = health_check(cluster, OOM_POD, {"stored_instructions": False}, stored_instrucitons=True)
    assert ours_wins["instructions"] == []


def test_workload_health_chat_reads_the_earlier_verdict(api: httpx.Client):
    check = answered(api, "/api/workload_health_check", h19.WorkloadHealthRequest(ask="Healthy?", resource=RESOURCE))
    request = h19.WorkloadHealthChatRequest(
        ask="What did the check find?",
        workload_health_result=h19.WorkloadHealthInvestigationResult(result=check["analysis"]),  # HolmesGPT's alias
        resource=RESOURCE,
    )
    body = answered(api, "/api/workload_health_chat", request)
    h19.ChatResponse.model_validate(body)
    assert f"The workload was not healthy. {check['root_cause_summary']}" in body["analysis"]


# -- model list and probes -----------------------------------------------------------------------------------


def test_model_list_is_seed_004s_list(api: httpx.Client):
    # HolmesGPT 0.45 sends the list as JSON text; seed 004, which this platform follows, as a list.
    assert api.get("/api/model").json() == {"model_name": ["aisre-analyzer"]}


def test_liveness_and_readiness_probes_answer_without_a_key(serve_with_settings):  # type: ignore[no-untyped-def]
    keys = f"sha256:{hash_key('acme-key')}:ws-acme"
    with serve_with_settings(api_keys=keys) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.get("/api/model").status_code == 401
        assert http.get("/healthz").json() == {"status": "healthy"}
        ready = http.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "models": ["aisre-analyzer"]}


class StandInModel:
    model = "stand-in"


def test_readiness_is_503_when_the_engine_cannot_be_built(serve_with_settings):  # type: ignore[no-untyped-def]
    # With a model, building the agent lists the tools: a broken tool adapter leaves the engine unbuildable.
    with serve_with_settings(parts={tool_runner: BrokenTools(), chat_model: StandInModel()}) as url:
        ready = httpx.get(f"{url}/readyz", timeout=30)
        assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200  # alive, not ready
    assert ready.status_code == 503
    assert ready.json() == {"status": "not_ready", "models": [], "error": "RuntimeError"}

"""The HolmesGPT-compatible API's pure parts: the conversation sent to a model and returned, the fields a request
gives that change nothing, the workload health verdict, and the lenient reading of HolmesGPT's free-form objects."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from aisre.investigations.model.analysis.finding import Analysis, Finding
from aisre.investigations.model.evidence import Issue, ToolResult
from aisre.investigations.model.holmes_conversation import ChatMessage, model_messages, returned_history
from aisre.investigations.model.holmes_requests import ChatRequest, ResourceRef, WorkloadHealthResultRef
from aisre.investigations.model.workload_health import workload_verdict

OURS = "You are an SRE assistant."


def messages(*raw: dict[str, object]) -> list[ChatMessage]:
    return [ChatMessage.model_validate(message) for message in raw]


def test_a_model_gets_one_system_message_with_each_instruction_once():
    history = messages(
        {"role": "system", "content": OURS},  # a history this platform returned, sent back
        {"role": "user", "content": "first question"},
        {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
        {"role": "assistant", "content": "first answer"},
        {"role": "system", "content": "Be brief."},
    )
    sent = model_messages(OURS, history, ["Answer in JSON.", OURS])
    assert sent == [
        {"role": "system", "content": f"{OURS}\n\nBe brief.\n\nAnswer in JSON."},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
    ]


def test_content_parts_reach_a_model_as_their_text_and_other_fields_as_they_came():
    (message,) = messages(
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look at this:"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                {"type": "text", "text": "what is wrong?"},
            ],
            "name": "dave",
        }
    )
    assert message.for_model() == {"role": "user", "content": "Look at this:\nwhat is wrong?", "name": "dave"}
    # The parts, images too, travel back in the returned history as they came.
    back = message.model_dump(exclude_none=True)["content"]
    assert back[1] == {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}


def test_the_returned_history_begins_with_a_system_message_on_every_turn():
    first = returned_history([], OURS, "q1", "a1")
    assert first == [
        {"role": "system", "content": OURS},
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
    ]
    assert returned_history(first, OURS, "q2", "a2") == [
        *first,
        {"role": "user", "content": "q2"},
        {"role": "assistant", "content": "a2"},
    ]


def test_a_history_must_begin_with_a_system_message():
    with pytest.raises(ValidationError, match="role 'system'"):
        ChatRequest.model_validate({"ask": "hi", "conversation_history": [{"role": "user", "content": "hi"}]})


def test_fields_that_change_nothing_are_named_with_the_engine_in_mind():
    request = ChatRequest.model_validate(
        {
            "ask": "why?",
            "images": ["https://example.com/a.png"],
            "additional_system_prompt": "Be brief.",
            "response_format": {"type": "json_object"},
            "enable_tool_approval": True,
            "tool_decisions": [],
        }
    )
    analyzer = {item["field"] for item in request.not_applied(with_model=False)}
    assert analyzer == {"images", "additional_system_prompt", "response_format"}
    assert {item["field"] for item in request.not_applied(with_model=True)} == {"images"}
    told = request.model_instructions()
    assert told[0] == "Be brief." and '"type": "json_object"' in told[1]


def test_a_resource_of_any_shape_is_read_where_it_can_be():
    resource = ResourceRef.model_validate(
        {"name": 42, "namespace": {"odd": True}, "labels": {"app": "shop", "replicas": 3, "nested": {}}, "pod": "x"}
    )
    assert (resource.name, resource.namespace, resource.labels) == ("42", None, {"app": "shop", "replicas": "3"})
    assert ResourceRef.model_validate({"labels": ["not", "a", "map"], "pod": "api-1"}).to_subject().name == "api-1"


def test_an_earlier_health_check_is_read_from_holmesgpts_verdict_or_as_text():
    verdict = json.dumps({"workload_healthy": False, "root_cause_summary": "OOMKilled."})
    assert WorkloadHealthResultRef(analysis=verdict).conclusion == "The workload was not healthy. OOMKilled."
    assert WorkloadHealthResultRef.model_validate({"result": "all good"}).conclusion == "all good"


ISSUE = Issue(title="Health check of pod api-1")
DESCRIBED = ToolResult("kubectl_describe", {"name": "api-1"}, "success", text="Status: Running")
UNREAD = ToolResult("kubectl_describe", {"name": "api-1"}, "unavailable", error="no Kubernetes cluster configured")


def test_workload_verdict_findings_mean_unhealthy_nothing_found_healthy_nothing_read_unknown():
    finding = Finding("oom_killed", "container app was OOMKilled", confidence=0.95)
    sick = workload_verdict(Analysis(ISSUE, (finding,)), [DESCRIBED])
    assert (sick.healthy, sick.summary) == (False, "container app was OOMKilled.")
    sound = workload_verdict(Analysis(ISSUE), [DESCRIBED, ToolResult("kubectl_logs", {}, "no_data")])
    assert sound.healthy is True and "kubectl_describe(name=api-1)" in sound.summary
    unknown = workload_verdict(Analysis(ISSUE), [UNREAD, UNREAD])
    assert unknown.healthy is None and unknown.summary.endswith(": no Kubernetes cluster configured.")
    # HolmesGPT's verdict has no "unknown": not healthy, the summary saying why.
    assert json.loads(unknown.as_analysis()) == {"workload_healthy": False, "root_cause_summary": unknown.summary}

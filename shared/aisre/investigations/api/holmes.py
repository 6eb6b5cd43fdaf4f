"""The HolmesGPT-compatible API (/api/investigate, /api/stream/investigate, /api/chat, /api/issue_chat,
/api/workload_health_check, /api/workload_health_chat, /api/model) on the platform's own engine."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from aisre.core.http.deps import ReadWorkspace, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.core.observability import logger
from aisre.investigations.api.schemas import (
    STREAM_DESCRIPTION,
    STREAM_EVENT_SCHEMA,
    HolmesChatResponse,
    HolmesInvestigation,
    ModelList,
    WorkloadHealthChatResponse,
)
from aisre.investigations.model.evidence import Issue
from aisre.investigations.model.holmes_requests import (
    ChatRequest,
    InvestigateRequest,
    IssueChatRequest,
    ToolCallRecord,
    WorkloadHealthChatRequest,
    WorkloadHealthRequest,
    investigate_issue,
    tool_result_public,
    workload_issue,
)
from aisre.investigations.providers import holmes_service

if TYPE_CHECKING:
    from aisre.investigations.service.holmes import HolmesRun, HolmesService

# Named as a string: the engine is imported when the first request builds it, not with this router.
HolmesDep = Annotated["HolmesService", provide(holmes_service)]

router = ApiRouter(prefix="/api", tags=["holmes"])

# A request body, so 413 (and 400: not JSON, or a `model` GET /api/model does not list); the analyzer's tools and
# the model are outside services, so 502.
_ERRORS = error_responses(
    *READ_ERRORS,
    400,
    413,
    502,
    _400="The body is not UTF-8 JSON, or its `model` is none of those GET /api/model lists (`error.details.available`)",
)


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


@router.post("/investigate", response_model=HolmesInvestigation, responses=_ERRORS)
def investigate(request: InvestigateRequest, holmes: HolmesDep, _workspace: ReadWorkspace) -> dict[str, Any]:
    """Investigate an alert: analysis text, sections, tool calls when asked for, instructions, metadata."""
    run = holmes.for_model(request.model).investigate(investigate_issue(request), request.sections)
    return run.investigation_public(request.include_tool_calls, request.include_tool_call_results)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


@router.post(
    "/stream/investigate",
    response_class=EventStreamResponse,
    responses={
        **_ERRORS,
        200: {
            "description": STREAM_DESCRIPTION,
            "content": {"text/event-stream": {"itemSchema": STREAM_EVENT_SCHEMA}},
        },
    },
)
async def stream_investigate(
    request: InvestigateRequest, holmes: HolmesDep, _workspace: ReadWorkspace
) -> EventStreamResponse:
    """The same investigation as server-sent events: each tool call as it starts and ends, then the answer."""
    service = holmes.for_model(request.model)  # an unknown model is a 400 before the stream begins
    issue = investigate_issue(request)
    events: queue.Queue[str | None] = queue.Queue()

    def on_tool(kind: str, record: ToolCallRecord) -> None:
        if kind == "start":
            events.put(_sse("start_tool_calling", {"tool_name": record.tool_name, "id": record.tool_call_id}))
            return
        result = tool_result_public(record.result) if record.result is not None else None
        events.put(
            _sse(
                "tool_calling_result",
                {
                    "tool_call_id": record.tool_call_id,
                    "role": "tool",
                    "name": record.tool_name,
                    "status": record.status,
                    "description": record.description,
                    "result": result,
                },
            )
        )

    def work() -> None:
        try:
            run: HolmesRun = service.investigate(issue, request.sections, on_tool)
            events.put(
                _sse(
                    "ai_answer_end",
                    {
                        "sections": run.sections,
                        "analysis": run.answer,
                        "instructions": run.instructions,
                        "metadata": run.metadata(),
                    },
                )
            )
        except Exception as error:  # the stream has started (200): the failure can only be told as an event
            logger.exception("streamed investigation failed")
            events.put(_sse("error", {"description": f"investigation failed: {type(error).__name__}", "msg": ""}))
        finally:
            events.put(None)

    threading.Thread(target=work, name="holmes-stream", daemon=True).start()

    async def body() -> AsyncIterator[str]:
        while (item := await run_in_threadpool(events.get)) is not None:
            yield item

    return EventStreamResponse(body(), headers={"Cache-Control": "no-cache"})


@router.post("/chat", response_model=HolmesChatResponse, responses=_ERRORS)
def chat(request: ChatRequest, holmes: HolmesDep, _workspace: ReadWorkspace) -> dict[str, Any]:
    """Answer a question: the model's answer, or the analyzer's findings about it when no model is configured."""
    issue = Issue(title=request.ask, source="chat")
    return holmes.for_model(request.model).chat(request.ask, request.conversation_history, issue)


@router.post("/issue_chat", response_model=HolmesChatResponse, responses=_ERRORS)
def issue_chat(request: IssueChatRequest, holmes: HolmesDep, _workspace: ReadWorkspace) -> dict[str, Any]:
    """Discuss an issue already investigated, with the earlier result as context."""
    earlier = request.investigation_result.result
    annotations = {"earlier_result": earlier} if earlier else {}
    issue = Issue(title=request.issue_type, description=request.ask, source="issue_chat", annotations=annotations)
    return holmes.for_model(request.model).chat(request.ask, request.conversation_history, issue, earlier)


@router.post("/workload_health_check", response_model=HolmesInvestigation, responses=_ERRORS)
def workload_health_check(
    request: WorkloadHealthRequest, holmes: HolmesDep, _workspace: ReadWorkspace
) -> dict[str, Any]:
    """Check a workload's health: the analysis, tool calls when asked for, instructions; no sections."""
    issue = workload_issue(request.resource, request.ask)
    run = holmes.for_model(request.model).investigate(issue, use_sections=False)
    body = run.investigation_public(request.include_tool_calls, request.include_tool_call_results)
    body["sections"] = None
    body["instructions"] = [*request.instructions, *run.instructions]
    return body


@router.post("/workload_health_chat", response_model=WorkloadHealthChatResponse, responses=_ERRORS)
def workload_health_chat(
    request: WorkloadHealthChatRequest, holmes: HolmesDep, _workspace: ReadWorkspace
) -> dict[str, Any]:
    """Discuss a workload's health, with the earlier health check as context."""
    issue = workload_issue(request.resource, request.ask)
    engine = holmes.for_model(request.model)
    body = engine.chat(request.ask, request.conversation_history, issue, request.workload_health_result.analysis)
    body.pop("follow_up_actions", None)
    return body


@router.get("/model", response_model=ModelList, responses=error_responses(*READ_ERRORS))
def list_models(holmes: HolmesDep, _workspace: ReadWorkspace) -> dict[str, Any]:
    """The models a request's `model` may name: the configured language model, if any, then aisre-analyzer."""
    return {"model_name": holmes.model_names}

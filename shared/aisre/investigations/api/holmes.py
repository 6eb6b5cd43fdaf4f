"""The HolmesGPT-compatible API (/api/investigate, /api/stream/investigate, /api/chat, /api/issue_chat,
/api/workload_health_check, /api/workload_health_chat, /api/model, and the probes /healthz and /readyz) on the
platform's own engine; HolmesGPT's own models are the referee of its shapes (tests/contract)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends
from fastapi.responses import JSONResponse

from aisre.core.http.deps import ReadWorkspace, current_scope, provide
from aisre.core.http.routing import ApiRouter
from aisre.core.http.schemas import READ_ERRORS, error_responses
from aisre.core.observability import logger
from aisre.core.scope import Scope
from aisre.investigations.api.event_stream import EventStreamResponse, stream_events
from aisre.investigations.api.schemas import (
    CHAT_STREAM_DESCRIPTION,
    STREAM_DESCRIPTION,
    STREAM_EVENT_SCHEMA,
    HolmesChatResponse,
    HolmesInvestigation,
    Liveness,
    ModelList,
    Readiness,
    WorkloadHealthCheck,
)
from aisre.investigations.model.evidence import Issue
from aisre.investigations.model.holmes_requests import (
    ChatRequest,
    ChatRequestBase,
    InvestigateRequest,
    IssueChatRequest,
    ToolListener,
    WorkloadHealthChatRequest,
    WorkloadHealthRequest,
    investigate_issue,
    workload_issue,
)
from aisre.investigations.providers import holmes_service

if TYPE_CHECKING:
    from aisre.investigations.service.holmes import HolmesService

# Named as a string: the engine is imported when the first request builds it, not with this router.
HolmesDep = Annotated["HolmesService", provide(holmes_service)]

# No prefix: HolmesGPT's routes are under /api, its probes (/healthz, /readyz) at the root.
router = ApiRouter(tags=["holmes"])

# A request body, so 413 (and 400: not JSON, or a `model` GET /api/model does not list); the analyzer's tools and
# the model are outside services, so 502.
_ERRORS = error_responses(
    *READ_ERRORS,
    400,
    413,
    502,
    _400="The body is not UTF-8 JSON, or its `model` is none of those GET /api/model lists (`error.details.available`)",
)


def _stream_200(description: str) -> dict[int | str, dict[str, Any]]:
    """The routes' errors, and a 200 that may be server-sent events (beside the JSON of a response_model)."""
    return {
        **_ERRORS,
        200: {"description": description, "content": {"text/event-stream": {"itemSchema": STREAM_EVENT_SCHEMA}}},
    }


@router.post("/api/investigate", response_model=HolmesInvestigation, responses=_ERRORS)
def investigate(request: InvestigateRequest, holmes: HolmesDep, _workspace: ReadWorkspace) -> dict[str, Any]:
    """Investigate an alert: analysis text, sections, tool calls when asked for, instructions, metadata."""
    run = holmes.for_model(request.model).investigate(investigate_issue(request), request.sections)
    return run.investigation_public(request.include_tool_calls, request.include_tool_call_results)


@router.post("/api/stream/investigate", response_class=EventStreamResponse, responses=_stream_200(STREAM_DESCRIPTION))
def stream_investigate(
    request: InvestigateRequest, holmes: HolmesDep, _workspace: ReadWorkspace
) -> EventStreamResponse:
    """The same investigation as server-sent events: each tool call as it starts and ends, then the answer."""
    service = holmes.for_model(request.model)  # an unknown model is a 400 before the stream begins
    issue = investigate_issue(request)

    def work(listener: ToolListener) -> tuple[str, dict[str, Any]]:
        run = service.investigate(issue, request.sections, listener)
        answer = {"sections": run.sections, "analysis": run.answer, "instructions": run.instructions}
        return "ai_answer_end", {**answer, "metadata": run.metadata()}

    return stream_events(work, "investigation")


def _chat(
    engine: HolmesService,
    request: ChatRequestBase,
    issue: Issue,
    earlier: str | None = None,
    listener: ToolListener | None = None,
) -> dict[str, Any]:
    """One chat turn: the request's instructions told to a model, and what it gave and did not apply, in metadata."""
    turn = engine.for_turn(listener, request.model_instructions())
    body = turn.chat(request.ask, request.conversation_history, issue, earlier)
    body["metadata"]["not_applied"] = request.not_applied(engine.chat_model is not None)
    return body


@router.post(
    "/api/chat",
    response_model=HolmesChatResponse,
    responses=_stream_200(CHAT_STREAM_DESCRIPTION),
)
def chat(request: ChatRequest, holmes: HolmesDep, _workspace: ReadWorkspace) -> Any:
    """Answer a question: the model's answer, or the analyzer's findings about it when no model is configured;
    with `stream: true`, as HolmesGPT's server-sent events."""
    engine = holmes.for_model(request.model)  # an unknown model is a 400, before any stream begins
    issue = Issue(title=request.ask, source="chat")
    if not request.stream:
        return _chat(engine, request, issue)

    def work(listener: ToolListener) -> tuple[str, dict[str, Any]]:
        body = _chat(engine, request, issue, listener=listener)
        # HolmesGPT's chat answer event: its tool calls were told as they ran.
        return "ai_answer_end", {
            key: body[key] for key in ("analysis", "conversation_history", "follow_up_actions", "metadata")
        }

    return stream_events(work, "chat")


@router.post("/api/issue_chat", response_model=HolmesChatResponse, responses=_ERRORS)
def issue_chat(request: IssueChatRequest, holmes: HolmesDep, _workspace: ReadWorkspace) -> dict[str, Any]:
    """Discuss an issue already investigated, with the earlier result as context."""
    earlier = request.investigation_result.result
    annotations = {"earlier_result": earlier} if earlier else {}
    issue = Issue(title=request.issue_type, description=request.ask, source="issue_chat", annotations=annotations)
    return _chat(holmes.for_model(request.model), request, issue, earlier)


@router.post("/api/workload_health_check", response_model=WorkloadHealthCheck, responses=_ERRORS)
def workload_health_check(
    request: WorkloadHealthRequest, holmes: HolmesDep, _workspace: ReadWorkspace
) -> dict[str, Any]:
    """Check a workload's health: HolmesGPT's verdict (`workload_healthy`, `root_cause_summary`, also as the JSON
    text of `analysis`), the answer in words, tool calls when asked for, instructions."""
    engine = holmes.for_model(request.model)
    run = engine.investigate(workload_issue(request.resource, request.ask), use_sections=False)
    stored = engine.stored_instructions(run) if request.use_stored_instructions else []
    instructions = [*(request.instructions or ()), *run.instructions, *stored]
    return run.workload_health_public(request.include_tool_calls, request.include_tool_call_results, instructions)


@router.post("/api/workload_health_chat", response_model=HolmesChatResponse, responses=_ERRORS)
def workload_health_chat(
    request: WorkloadHealthChatRequest, holmes: HolmesDep, _workspace: ReadWorkspace
) -> dict[str, Any]:
    """Discuss a workload's health, with the earlier health check as context."""
    issue = workload_issue(request.resource, request.ask)
    return _chat(holmes.for_model(request.model), request, issue, request.workload_health_result.conclusion)


@router.get("/api/model", response_model=ModelList, responses=error_responses(*READ_ERRORS))
def list_models(holmes: HolmesDep, _workspace: ReadWorkspace) -> dict[str, Any]:
    """The models a request's `model` may name: the configured language model, if any, then aisre-analyzer."""
    return {"model_name": holmes.model_names}


@router.get("/healthz", response_model=Liveness)
async def liveness() -> dict[str, Any]:
    """HolmesGPT's liveness probe: the process answers."""
    return {"status": "healthy"}


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "The engine cannot be built (its configuration, secrets)"}},
)
def readiness(scope: Annotated[Scope, Depends(current_scope)]) -> Any:
    """HolmesGPT's readiness probe: the engine these routes answer with can be built (its tools, the configured
    model's client and secrets; built once per process, so cheap after the first probe). No model is called."""
    try:
        models = scope.get(holmes_service).model_names
    except Exception as error:  # not ready is this probe's answer, not a failure of the request
        logger.exception("the HolmesGPT engine is not ready")
        return JSONResponse({"status": "not_ready", "models": [], "error": type(error).__name__}, status_code=503)
    return {"status": "ready", "models": models}

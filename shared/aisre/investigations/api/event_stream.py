"""Server-sent events as HolmesGPT streams them: one mechanism for every streamed route (/api/stream/investigate,
/api/chat with `stream: true`). The work runs on a thread of its own; each tool call it makes is an event as it
starts and as it ends, then its final event; a failure after the 200 went out is HolmesGPT's `error` event."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from fastapi.responses import StreamingResponse

from aisre.core.observability import logger
from aisre.investigations.model.holmes_requests import ToolCallRecord, ToolListener

# HolmesGPT's error code for a failure it has no more specific code for (its 5204 is a model's rate limit).
RUN_FAILED = 1

# The work: given the listener its tool calls report to, the final event's name and data.
StreamedWork = Callable[[ToolListener], tuple[str, Mapping[str, Any]]]


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


def sse(event: str, data: Mapping[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def error_event(description: str, msg: str, error_code: int = RUN_FAILED) -> str:
    """HolmesGPT's `create_sse_error_message`: its clients read `error_code`, `msg` and `success`."""
    return sse("error", {"description": description, "error_code": error_code, "msg": msg, "success": False})


def _tool_event(kind: str, record: ToolCallRecord) -> str:
    if kind == "start":
        return sse("start_tool_calling", {"tool_name": record.tool_name, "id": record.tool_call_id})
    return sse("tool_calling_result", record.streamed())


def stream_events(work: StreamedWork, what: str) -> EventStreamResponse:
    """The response that runs `work` once its body is read, streaming its tool calls and then its answer. `what`
    names the work in the error event and the log ("investigation", "chat")."""

    async def body() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[str | None] = asyncio.Queue()

        def put(item: str | None) -> None:
            # A closed loop (RuntimeError): the client went away, and nobody reads the stream any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(events.put_nowait, item)

        def run() -> None:
            try:
                event, data = work(lambda kind, record: put(_tool_event(kind, record)))
                put(sse(event, data))
            except Exception as error:  # the 200 has gone out: the failure can only be told as an event
                logger.exception(f"streamed {what} failed")
                put(error_event(f"{what} failed: {type(error).__name__}", f"The {what} could not be completed."))
            finally:
                put(None)

        # A thread, not the event loop's thread pool: the work may take minutes (a model's tool calls), and the
        # body waits on the queue without holding a pool thread.
        threading.Thread(target=run, name=f"holmes-stream-{what}", daemon=True).start()
        while (item := await events.get()) is not None:
            yield item

    return EventStreamResponse(body(), headers={"Cache-Control": "no-cache"})

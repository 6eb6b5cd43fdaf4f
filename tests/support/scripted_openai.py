"""A scripted OpenAI-compatible chat server for tests: replies from a per-test script, records every request."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

# The model name a test server configures (AISRE_MODEL) to be answered by this server.
MODEL_NAME = "test-model"


@dataclass
class Reply:
    """One scripted answer: text and/or tool calls (name, arguments), or an HTTP error, after an optional delay."""

    content: str | None = None
    tool_calls: list[tuple[str, Any]] = field(default_factory=list)
    usage: tuple[int, int] = (100, 20)
    status: int = 200
    delay: float = 0.0


def _usage(reply: Reply) -> dict[str, int]:
    prompt, completion = reply.usage
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class ScriptedOpenAI:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self._calls = 0

    def reset(self, *replies: Reply) -> None:
        self.script = deque(replies)
        self.requests = []

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat_completions(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            if not self.script:
                return JSONResponse({"error": {"message": "script exhausted", "type": "server_error"}}, 500)
            reply = self.script.popleft()
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.status != 200:
                return JSONResponse({"error": {"message": "scripted failure", "type": "server_error"}}, reply.status)
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                return StreamingResponse(self._sse(body, reply, include_usage), media_type="text/event-stream")
            return JSONResponse(self._completion(body, reply))

        return app

    def _tool_calls(self, reply: Reply) -> list[dict[str, Any]]:
        calls = []
        for name, arguments in reply.tool_calls:
            self._calls += 1
            text = arguments if isinstance(arguments, str) else json.dumps(arguments)
            calls.append(
                {"id": f"call_{self._calls}", "type": "function", "function": {"name": name, "arguments": text}}
            )
        return calls

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        calls = self._tool_calls(reply)
        if calls:
            message["tool_calls"] = calls
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "scripted"),
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": _usage(reply),
        }

    async def _sse(self, body: dict[str, Any], reply: Reply, include_usage: bool) -> AsyncIterator[str]:
        for chunk in self._chunks(body, reply, include_usage):
            yield f"data: {json.dumps(chunk)}\n\n"
            await asyncio.sleep(0)
        yield "data: [DONE]\n\n"

    def _chunks(self, body: dict[str, Any], reply: Reply, include_usage: bool) -> Iterator[dict[str, Any]]:
        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body.get("model", "scripted"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        yield chunk({"role": "assistant", "content": ""})
        text = reply.content or ""
        for start in range(0, len(text), 7):  # small pieces, so reassembly is really tested
            yield chunk({"content": text[start : start + 7]})
        for index, call in enumerate(self._tool_calls(reply)):
            function = call["function"]
            head = {"index": index, "id": call["id"], "type": "function", "function": {"name": function["name"]}}
            yield chunk({"tool_calls": [{**head, "function": {**head["function"], "arguments": ""}}]})
            arguments = function["arguments"]
            for start in range(0, len(arguments), 5):
                part = {"index": index, "function": {"arguments": arguments[start : start + 5]}}
                yield chunk({"tool_calls": [part]})
        yield chunk({}, "tool_calls" if reply.tool_calls else "stop")
        if include_usage:
            yield {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body.get("model", "scripted"),
                "choices": [],
                "usage": _usage(reply),
            }

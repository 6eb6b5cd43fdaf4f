"""The plain data exchanged with a chat model: messages, tool calls, token usage, streamed chunks, prices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Message = Mapping[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asked for; `arguments` is the raw JSON text it wrote."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True)
class ChatReply:
    """The assistant's message: text, tool calls, or both; with what it cost in tokens."""

    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    finish_reason: str | None = None
    model: str | None = None

    def as_message(self) -> dict[str, Any]:
        """The reply as the assistant message to send back in the conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                for call in self.tool_calls
            ]
        return message


@dataclass(frozen=True)
class ToolCallDelta:
    """A fragment of a streamed tool call; fragments with the same index belong to one call."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True)
class ChatDelta:
    """One streamed chunk: some text, some tool-call fragments, and at the end the finish reason and usage."""

    content: str = ""
    tool_calls: tuple[ToolCallDelta, ...] = ()
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class ModelPrice:
    """US dollars per million tokens."""

    prompt_per_million: float
    completion_per_million: float

    def cost(self, usage: Usage) -> float:
        return (
            usage.prompt_tokens * self.prompt_per_million + usage.completion_tokens * self.completion_per_million
        ) / 1_000_000


def assemble(deltas: Iterable[ChatDelta]) -> ChatReply:
    """Puts streamed chunks back together into the reply a non-streaming request would have returned."""
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    usage = Usage()
    finish: str | None = None
    for delta in deltas:
        text.append(delta.content)
        for fragment in delta.tool_calls:
            call = calls.setdefault(fragment.index, {"id": "", "name": "", "arguments": ""})
            call["id"] = fragment.id or call["id"]
            call["name"] += fragment.name or ""
            call["arguments"] += fragment.arguments
        finish = delta.finish_reason or finish
        if delta.usage is not None:
            usage = delta.usage
    content = "".join(text)
    return ChatReply(
        content=content or None,
        tool_calls=tuple(ToolCall(c["id"], c["name"], c["arguments"]) for _, c in sorted(calls.items())),
        usage=usage,
        finish_reason=finish,
    )

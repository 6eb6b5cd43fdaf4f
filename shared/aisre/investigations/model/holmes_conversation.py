"""A HolmesGPT chat's conversation: its messages in OpenAI's shape, the history a chat route returns (system
message first, as HolmesGPT's does, so that a client can send it back) and the messages a model is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class ContentPart(BaseModel):
    """One part of a message's content, OpenAI style: `{"type": "text", "text": ...}`, `{"type": "image_url",
    "image_url": {...}}`, ...; only text parts are read, the others travel back in the history as they came."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """A message of `conversation_history` in OpenAI's shape; its other fields (tool_calls, tool_call_id, name,
    ...) travel back as they came."""

    model_config = ConfigDict(extra="allow")

    # `developer` is OpenAI's newer name for the application's instructions; `function`, its older tool result.
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str | None:
        """The content as text: a list of parts gives its text parts, one per line (images are not read)."""
        if self.content is None or isinstance(self.content, str):
            return self.content
        return "\n".join(part.text for part in self.content if part.type == "text" and part.text)

    def for_model(self) -> dict[str, Any]:
        """The message as the chat model is sent it: its content as text (images are not read)."""
        message = self.model_dump(exclude_none=True)
        if isinstance(self.content, list):
            message["content"] = self.text
        return message


def history_starts_with_system(history: list[ChatMessage] | None) -> list[ChatMessage] | None:
    # HolmesGPT's rule too: its chat routes keep the system message first, and return it first.
    if history and history[0].role != "system":
        raise ValueError("the first message of conversation_history must have role 'system'")
    return history


def returned_history(
    past: Sequence[Mapping[str, Any]], system_prompt: str, ask: str, answer: str
) -> list[dict[str, Any]]:
    """The history a chat route answers with: the caller's own (its system message first, as validated) or, on a
    first turn, our system message; then this turn's question and answer. Sent back, it is a valid history."""
    start = [] if past else [{"role": "system", "content": system_prompt}]
    return [
        *start,
        *(dict(message) for message in past),
        {"role": "user", "content": ask},
        {"role": "assistant", "content": answer},
    ]


def model_messages(
    system_prompt: str, history: Sequence[ChatMessage] | None, instructions: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """What a model is sent before this turn's question: one system message, then the earlier turns.

    The system message is ours, then the caller's own instructions (its system and developer messages, each once:
    a history this platform returned begins with ours, which is not told twice), then this turn's `instructions`
    (additional_system_prompt, the answer's format). One leading system message: many chat templates take no other.
    """
    system = [system_prompt.strip()]
    turns: list[dict[str, Any]] = []
    for message in history or ():
        if message.role in ("system", "developer"):
            text = (message.text or "").strip()
            if text and text not in system:
                system.append(text)
        else:
            turns.append(message.for_model())
    system.extend(text.strip() for text in instructions if text.strip() and text.strip() not in system)
    return [{"role": "system", "content": "\n\n".join(system)}, *turns]

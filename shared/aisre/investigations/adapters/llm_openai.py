"""A chat model over the openai SDK, against OpenAI or any OpenAI-compatible endpoint (vLLM, Ollama, LiteLLM, ...)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from aisre.investigations.errors import LLMError
from aisre.investigations.model.chat import ChatDelta, ChatReply, Message, ToolCall, ToolCallDelta, Usage

__all__ = ["LLMError", "OpenAIChatModel"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers (Ollama, vLLM) accept any key; the SDK insists on one.
_NO_KEY = "not-needed"
_MAX_ERROR = 500


def _describe(error: Exception) -> str:
    """The failure in one line, without the request (which may hold the prompt) or the key."""
    import openai

    if isinstance(error, openai.APITimeoutError):
        return "the model endpoint timed out"
    if isinstance(error, openai.APIStatusError):
        return f"the model endpoint answered HTTP {error.status_code}: {str(error.message)[:_MAX_ERROR]}"
    if isinstance(error, openai.APIConnectionError):
        return "the model endpoint could not be reached"
    return f"{type(error).__name__}: {str(error)[:_MAX_ERROR]}"


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    return Usage(int(getattr(raw, "prompt_tokens", 0) or 0), int(getattr(raw, "completion_tokens", 0) or 0))


class OpenAIChatModel:
    """Chat completions with tool calling; every failure (HTTP, timeout, malformed answer) becomes LLMError."""

    def __init__(
        self,
        *,
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 1,
        temperature: float | None = 0.0,
        stream_usage: bool = True,
    ) -> None:
        self._model = model
        # Passed explicitly even when empty: the SDK would otherwise read OPENAI_* from the environment itself.
        self._api_key = api_key or _NO_KEY
        self._base_url = base_url or DEFAULT_BASE_URL
        self._timeout = timeout
        self._max_retries = max_retries
        self._temperature = temperature
        self._stream_usage = stream_usage
        self._client: Any = None

    @property
    def model(self) -> str:
        return self._model

    def _sdk(self) -> Any:
        if self._client is None:
            import openai  # heavy: loaded only when a model is actually called

            self._client = openai.OpenAI(
                api_key=self._api_key, base_url=self._base_url, timeout=self._timeout, max_retries=self._max_retries
            )
        return self._client

    def _request(self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self._model, "messages": [dict(m) for m in messages]}
        if tools:
            request["tools"] = [dict(t) for t in tools]
            request["tool_choice"] = "auto"
        if self._temperature is not None:
            request["temperature"] = self._temperature
        return request

    def complete(self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None = None) -> ChatReply:
        import openai

        try:
            response = self._sdk().chat.completions.create(**self._request(messages, tools))
        except openai.OpenAIError as error:
            raise LLMError(_describe(error)) from error
        choices = getattr(response, "choices", None)
        if not choices:
            raise LLMError("the model endpoint answered with no choices")
        message = choices[0].message
        calls = []
        for call in getattr(message, "tool_calls", None) or ():
            function = getattr(call, "function", None)
            if function is None:  # a non-function (custom) tool call: nothing we offered
                continue
            calls.append(ToolCall(id=str(call.id), name=str(function.name), arguments=str(function.arguments or "")))
        return ChatReply(
            content=message.content,
            tool_calls=tuple(calls),
            usage=_usage(getattr(response, "usage", None)),
            finish_reason=choices[0].finish_reason,
            model=getattr(response, "model", None),
        )

    def stream(
        self, messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None = None
    ) -> Iterator[ChatDelta]:
        """The reply as it is generated; `model.chat.assemble` turns the deltas back into a ChatReply."""
        import openai

        request = self._request(messages, tools)
        request["stream"] = True
        if self._stream_usage:
            request["stream_options"] = {"include_usage": True}
        try:
            for chunk in self._sdk().chat.completions.create(**request):
                usage = _usage(chunk.usage) if getattr(chunk, "usage", None) is not None else None
                if not chunk.choices:
                    if usage is not None:
                        yield ChatDelta(usage=usage)
                    continue
                choice = chunk.choices[0]
                delta = choice.delta
                fragments = tuple(
                    ToolCallDelta(
                        index=int(part.index),
                        id=part.id,
                        name=part.function.name if part.function else None,
                        arguments=(part.function.arguments or "") if part.function else "",
                    )
                    for part in (getattr(delta, "tool_calls", None) or ())
                )
                yield ChatDelta(
                    content=getattr(delta, "content", None) or "",
                    tool_calls=fragments,
                    finish_reason=choice.finish_reason,
                    usage=usage,
                )
        except openai.OpenAIError as error:
            raise LLMError(_describe(error)) from error

"""The LLM investigation agent: a tool-calling loop over read-only tools, falling back to the analyzer's answer."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from aisre.investigations.errors import LLMError
from aisre.investigations.model.analysis import Analysis, render_answer
from aisre.investigations.model.chat import ModelPrice, ToolCall, Usage
from aisre.investigations.model.evidence import Issue, ToolResult
from aisre.investigations.ports import ChatModel, ToolRunner
from aisre.investigations.service.agent_prompt import (
    DEFAULT_SECTIONS,
    FINAL_STEP_NOTE,
    fence,
    investigation_request,
    parse_sections,
    system_prompt,
)
from aisre.investigations.service.agent_tools import READ_ONLY_TOOL_SPECS, ToolSpec, tool_name

DEFAULT_MAX_TOOL_CHARS = 20_000


@dataclass(frozen=True)
class AgentToolCall:
    """One tool call the model asked for and what became of it (status "refused"/"duplicate": never run)."""

    tool_name: str
    arguments: Mapping[str, Any]
    status: str
    result_chars: int
    truncated: bool = False


@dataclass
class AgentResult:
    answer: str
    sections: dict[str, str]
    tool_calls: list[AgentToolCall] = field(default_factory=list)
    steps: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    llm_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Outcome:
    """A tool call's record and the text the model gets back for it."""

    record: AgentToolCall
    content: str


class InvestigationAgent:
    """Investigates an issue with a chat model that may only call the read-only tools in `tool_specs`."""

    def __init__(
        self,
        llm: ChatModel,
        tools: ToolRunner,
        tool_specs: Sequence[ToolSpec] = READ_ONLY_TOOL_SPECS,
        max_steps: int = 10,
        *,
        max_tool_chars: int = DEFAULT_MAX_TOOL_CHARS,
        prices: Mapping[str, ModelPrice] | None = None,
        sections: Mapping[str, str] = DEFAULT_SECTIONS,
        max_parallel_tools: int = 4,
    ) -> None:
        if max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        self.llm = llm
        self.tools = tools
        served = tools.available_tools()
        # Only what is both specified (read-only) and served is offered; anything else the model names is refused.
        self.specs = [spec for spec in tool_specs if tool_name(spec) in served]
        self.allowed = {tool_name(spec): spec for spec in self.specs}
        self.max_steps = max_steps
        self.max_tool_chars = max_tool_chars
        self.prices = dict(prices or {})
        self.sections = dict(sections)
        self.max_parallel_tools = max(1, max_parallel_tools)

    def investigate(self, issue: Issue, analysis: Analysis) -> AgentResult:
        """The model's answer; on a model failure, the analyzer's answer with `llm_error` saying why."""
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system_prompt(self.sections)},
            {"role": "user", "content": investigation_request(issue, analysis)},
        ]
        return self.converse(messages, fallback=render_answer(analysis))

    def converse(self, messages: list[dict[str, Any]], fallback: str) -> AgentResult:
        """Runs the tool-calling loop from `messages` (a chat's, or an investigation's) to the model's answer;
        on a model failure, `fallback` (the analyzer's answer) with `llm_error` saying why."""
        records: list[AgentToolCall] = []
        seen: set[str] = set()
        usage = Usage()
        steps = 0
        answer = ""
        reply_model: str | None = None
        try:
            with ThreadPoolExecutor(max_workers=self.max_parallel_tools, thread_name_prefix="agent-tool") as pool:
                while True:
                    steps += 1
                    final = steps >= self.max_steps
                    if final:
                        messages.append({"role": "user", "content": FINAL_STEP_NOTE})
                    reply = self.llm.complete(messages, tools=None if final or not self.specs else self.specs)
                    usage += reply.usage
                    reply_model = reply.model or reply_model
                    if final or not reply.tool_calls:
                        # On the last step tool calls were not offered; any the model still makes are ignored.
                        answer = (reply.content or "").strip()
                        break
                    messages.append(reply.as_message())
                    for outcome, call in zip(
                        self._run_calls(reply.tool_calls, seen, pool), reply.tool_calls, strict=True
                    ):
                        records.append(outcome.record)
                        messages.append({"role": "tool", "tool_call_id": call.id, "content": outcome.content})
            if not answer:
                raise LLMError("the model returned an empty answer")
        except LLMError as error:
            return self._fallback(fallback, records, steps, usage, reply_model, error.message)
        return AgentResult(
            answer=answer,
            sections=parse_sections(answer, tuple(self.sections)),
            tool_calls=records,
            steps=steps,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=self._cost(usage, reply_model),
        )

    def _fallback(
        self,
        fallback: str,
        records: list[AgentToolCall],
        steps: int,
        usage: Usage,
        reply_model: str | None,
        error: str,
    ) -> AgentResult:
        answer = fallback
        answer += f"\n\n_Note: the language model failed ({error}); this is the deterministic analyzer's answer._"
        return AgentResult(
            answer=answer,
            sections=parse_sections(answer, tuple(self.sections)),
            tool_calls=records,
            steps=steps,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=self._cost(usage, reply_model),
            llm_error=error,
        )

    def _cost(self, usage: Usage, reply_model: str | None) -> float | None:
        price = self.prices.get(self.llm.model) or (self.prices.get(reply_model) if reply_model else None)
        return round(price.cost(usage), 8) if price is not None else None

    def _run_calls(self, calls: Sequence[ToolCall], seen: set[str], pool: ThreadPoolExecutor) -> list[_Outcome]:
        """Checks every call first, then runs the admissible ones concurrently; outcomes are in call order."""
        outcomes: list[_Outcome | None] = []
        pending: list[tuple[int, str, dict[str, Any]]] = []
        for call in calls:
            arguments, problem = self._check(call)
            if problem is not None:
                status = "refused" if call.name not in self.allowed else "error"
                outcomes.append(self._note(call.name, arguments, status, problem))
                continue
            key = f"{call.name}:{json.dumps(arguments, sort_keys=True, default=str)}"
            if key in seen:
                note = (
                    f"You already called {call.name} with these same arguments; it was not run again. "
                    "Use its earlier result above."
                )
                outcomes.append(self._note(call.name, arguments, "duplicate", note))
                continue
            seen.add(key)
            pending.append((len(outcomes), call.name, arguments))
            outcomes.append(None)
        results = pool.map(lambda item: self._execute(item[1], item[2]), pending)
        for (index, _, _), outcome in zip(pending, results, strict=True):
            outcomes[index] = outcome
        return [outcome for outcome in outcomes if outcome is not None]

    def _check(self, call: ToolCall) -> tuple[dict[str, Any], str | None]:
        """The parsed arguments, and why the call may not run (None when it may)."""
        try:
            parsed = json.loads(call.arguments) if call.arguments.strip() else {}
        except json.JSONDecodeError as error:
            return {}, f"error: the arguments of {call.name} are not valid JSON ({error.msg}); call it again."
        arguments = parsed if isinstance(parsed, dict) else {}
        if call.name not in self.allowed:
            offered = ", ".join(sorted(self.allowed)) or "none"
            return arguments, (
                f"error: refused: `{call.name}` is not one of the read-only tools you may call, and it was not run. "
                f"You cannot change anything in the cluster. Tools you may call: {offered}."
            )
        if not isinstance(parsed, dict):
            return {}, f"error: the arguments of {call.name} must be a JSON object."
        parameters = self.allowed[call.name]["function"]["parameters"]
        missing = [name for name in parameters.get("required", ()) if arguments.get(name) in (None, "")]
        if missing:
            return arguments, f"error: {call.name} needs the parameters: {', '.join(missing)}."
        return arguments, None

    def _note(self, name: str, arguments: Mapping[str, Any], status: str, text: str) -> _Outcome:
        return _Outcome(AgentToolCall(name, dict(arguments), status, result_chars=0), text)

    def _execute(self, name: str, arguments: dict[str, Any]) -> _Outcome:
        try:
            result = self.tools.run(name, arguments)
        except Exception as error:  # the port promises not to raise; a broken adapter must not end the investigation
            result = ToolResult(name, arguments, "error", error=f"{type(error).__name__}: {error}")
        body = result.body or "(no output)"
        truncated = len(body) > self.max_tool_chars
        content = f"status: {result.status}\n" + fence(body[: self.max_tool_chars], f"tool:{name}")
        if truncated:
            # Outside the fence: this note is ours, not the tool's, so the model may rely on it.
            content += f"\n[output truncated: showing the first {self.max_tool_chars} of {len(body)} characters]"
        record = AgentToolCall(name, arguments, result.status, result_chars=len(result.body), truncated=truncated)
        return _Outcome(record, content)

"""Runs investigation cases through gather, analyze and render (questions through the chat engine of /api/chat),
and scores each answer against a regex rubric."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from aisre.investigations.model.analysis import analyze, render_answer
from aisre.investigations.model.evidence import Issue
from aisre.investigations.ports import ToolRunner
from aisre.investigations.service.gather import gather
from aisre.investigations.service.holmes import HolmesService

Rubric = Mapping[str, Sequence[Sequence[str]]]


class EvalCase(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def issue(self) -> Issue: ...
    @property
    def runner(self) -> ToolRunner: ...
    @property
    def question(self) -> str | None: ...


@dataclass(frozen=True)
class CaseResult:
    case: str
    answer: str
    passed: bool | None  # None: the rubric has no entry for this case
    latency_ms: float
    tool_calls: int
    unmet: list[list[str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("unmet")
        return data


def unmet_groups(answer: str, groups: Sequence[Sequence[str]]) -> list[list[str]]:
    """The rubric groups none of whose patterns matches the answer (case-insensitive); empty means a pass."""
    return [list(group) for group in groups if not any(re.search(p, answer, re.IGNORECASE) for p in group)]


def investigate(issue: Issue, runner: ToolRunner) -> tuple[str, int]:
    """The answer text and the number of tool calls made for one issue."""
    evidence = gather(issue, runner)
    return render_answer(analyze(evidence)), len(evidence.results)


def ask(question: str, issue: Issue, runner: ToolRunner) -> tuple[str, int]:
    """The answer /api/chat gives to a question with no model configured, and its number of tool calls."""
    reply = HolmesService(runner, agent=None, chat_model=None).chat(question, None, issue)
    return str(reply["analysis"]), len(reply["tool_calls"])


def run_case(case: EvalCase, rubric: Rubric | None) -> CaseResult:
    started = time.perf_counter()
    question = getattr(case, "question", None)
    answer, calls = ask(question, case.issue, case.runner) if question else investigate(case.issue, case.runner)
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    groups = rubric.get(case.name) if rubric is not None else None
    if groups is None:
        return CaseResult(case.name, answer, None, latency_ms, calls)
    unmet = unmet_groups(answer, groups)
    return CaseResult(case.name, answer, not unmet, latency_ms, calls, unmet)


def run_suite(cases: Iterable[EvalCase], rubric: Rubric | None) -> list[CaseResult]:
    return [run_case(case, rubric) for case in cases]


def format_table(results: Sequence[CaseResult]) -> str:
    width = max([len("case"), *(len(r.case) for r in results)])
    rows = [f"{'case':<{width}}  {'pass':<4}  {'latency ms':>10}  {'tool calls':>10}"]
    for r in results:
        mark = "-" if r.passed is None else ("yes" if r.passed else "no")
        rows.append(f"{r.case:<{width}}  {mark:<4}  {r.latency_ms:>10.1f}  {r.tool_calls:>10}")
    scored = [r for r in results if r.passed is not None]
    rows.append(f"passed {sum(1 for r in scored if r.passed)}/{len(scored)}")
    return "\n".join(rows)

"""Deterministic evidence gathering: a loop over a frontier of reads, each answer leading to the next reads
(its owner, pods, claims, nodes, logs), bounded in tool calls and time; a bound reached is said in the evidence."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from aisre.investigations.model.evidence import GATHERING_NOTE, Evidence, Issue, ToolResult
from aisre.investigations.model.gathering.leads import next_reads
from aisre.investigations.model.gathering.reads import CURRENT_LOG_TOOLS, PREVIOUS_LOG_TOOLS, Read
from aisre.investigations.model.gathering.start import first_reads, resolve_subject
from aisre.investigations.ports import ToolRunner

__all__ = ["LOG_TOOLS", "MAX_SECONDS", "MAX_TOOL_CALLS", "GatherLimits", "gather", "resolve_subject"]

LOG_TOOLS = (*CURRENT_LOG_TOOLS, *PREVIOUS_LOG_TOOLS)
# Enough for a workload, three of its pods with their logs, their owner chain, claims and a few nodes; few enough
# that a live cluster answers them all well inside the HTTP API's 29 s (API Gateway) and the step's timeout.
MAX_TOOL_CALLS = 40
MAX_SECONDS = 20.0
_UNREAD_SHOWN = 8


@dataclass(frozen=True)
class GatherLimits:
    max_calls: int = MAX_TOOL_CALLS
    max_seconds: float = MAX_SECONDS


class _Frontier:
    """Reads to make, nearest hop first, then in the order they were found."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Read]] = []
        self._order = 0

    def extend(self, reads: Iterable[Read]) -> None:
        for read in reads:
            heapq.heappush(self._heap, (read.depth, self._order, read))
            self._order += 1

    def pop(self) -> Read:
        return heapq.heappop(self._heap)[2]

    def __bool__(self) -> bool:
        return bool(self._heap)

    def remaining(self) -> list[Read]:
        return [read for _, _, read in sorted(self._heap)]


def gather(
    issue: Issue,
    runner: ToolRunner,
    *,
    limits: GatherLimits = GatherLimits(),
    clock: Callable[[], float] = time.monotonic,
) -> Evidence:
    subject = resolve_subject(issue)
    available = runner.available_tools()
    frontier = _Frontier()
    frontier.extend(first_reads(issue, subject))
    answers: dict[str, ToolResult] = {}
    interpreted: set[tuple[object, ...]] = set()
    results: list[ToolResult] = []
    started = clock()
    bound = ""
    while frontier:
        read = frontier.pop()
        if read.tool not in available:
            # Not offered: no call, but what would follow from no answer still follows (a pod's logs).
            answer = ToolResult(read.tool, read.arguments, "unavailable", error=f"tool {read.tool} is not available")
        elif read.key in answers:
            answer = answers[read.key]  # one call; another read of the same answer may want other rows of it
        else:
            bound = _bound_reached(len(results), clock() - started, limits)
            if bound:
                frontier.extend([read])
                break
            answer = runner.run(read.tool, read.arguments)
            if read.aside:
                answer = replace(answer, aside=read.aside)
            answers[read.key] = answer
            results.append(answer)
        if read.interpretation() not in interpreted:
            interpreted.add(read.interpretation())
            following = next_reads(read, answer)
            frontier.extend(replace(r, aside=read.aside) if read.aside and not r.aside else r for r in following)
    if bound:
        unread = [r for r in frontier.remaining() if r.tool in available and r.key not in answers]
        results.append(_note(bound, unread))
    return Evidence(issue=replace(issue, subject=subject), results=tuple(results), available_tools=available)


def _bound_reached(calls: int, elapsed: float, limits: GatherLimits) -> str:
    if calls >= limits.max_calls:
        return f"its bound of {limits.max_calls} tool calls"
    if elapsed >= limits.max_seconds:
        return f"its time budget of {limits.max_seconds:g} s ({elapsed:.1f} s spent)"
    return ""


def _note(bound: str, unread: list[Read]) -> ToolResult:
    labels = list(dict.fromkeys(read.label for read in unread))
    shown = "; ".join(labels[:_UNREAD_SHOWN]) + ("; ..." if len(labels) > _UNREAD_SHOWN else "")
    text = f"Gathering stopped at {bound}: {len(labels)} further reads were not made"
    text += f" ({shown})." if labels else "."
    return ToolResult(GATHERING_NOTE, {"bound": bound}, "no_data", error=text)

"""`get_current_time`, HolmesGPT's datetime toolset: the time now, worded exactly as HolmesGPT words it, so that a
question naming a relative time ("since last Thursday") can be turned into the parameters of the next call.

Always available (it needs nothing outside the process); the clock is injectable for tests. `run` never raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aisre.investigations.model.evidence import ToolResult

CLOCK_TOOLS = frozenset({"get_current_time"})


def current_time_text(now: datetime) -> str:
    """HolmesGPT's answer, line for line: `str()` of the UTC datetime, its Unix seconds, the weekday, the month and
    the ISO 8601 week number (`%V`: "01" to "53", weeks starting on Monday)."""
    utc_now = now.astimezone(UTC)
    return (
        f"The current UTC date and time are {utc_now}.\n"
        f"The current UTC timestamp in seconds is {int(utc_now.timestamp())}.\n"
        f"Today is {utc_now.strftime('%A')}.\n"
        f"The month is {utc_now.strftime('%B')}.\n"
        f"The week number is {utc_now.strftime('%V')}."
    )


class ClockToolRunner:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock

    def available_tools(self) -> frozenset[str]:
        return CLOCK_TOOLS

    def run(self, tool: str, params: Mapping[str, Any]) -> ToolResult:
        params = dict(params)
        if tool not in CLOCK_TOOLS:
            return ToolResult(tool, params, "error", error=f"tool {tool} is not available")
        try:
            return ToolResult(tool, params, "success", text=current_time_text(self._clock()))
        except Exception as exc:  # a broken clock is a result like any other failure
            return ToolResult(tool, params, "error", error=f"{type(exc).__name__}: {exc}")

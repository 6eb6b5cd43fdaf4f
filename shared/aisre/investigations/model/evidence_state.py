"""Tool results as they travel between Step Functions states: plain JSON, each output capped, since a
state's payload is limited to 256 KB."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aisre.investigations.model.evidence import ToolResult

RESULT_TEXT_CAP = 8_000


def results_to_state(results: Iterable[ToolResult], cap: int = RESULT_TEXT_CAP) -> list[dict[str, Any]]:
    state = []
    for result in results:
        text = result.text
        if len(text) > cap:
            # Keep the end: the latest log lines and the events section matter most.
            text = f"[first {len(text) - cap} characters cut]\n" + text[-cap:]
        item = {
            "tool": result.tool,
            "params": dict(result.params),
            "status": result.status,
            "text": text,
            "error": result.error,
        }
        if result.aside:
            item["aside"] = result.aside
        state.append(item)
    return state


def results_from_state(items: Sequence[dict[str, Any]]) -> tuple[ToolResult, ...]:
    return tuple(
        ToolResult(
            tool=str(item["tool"]),
            params=dict(item.get("params") or {}),
            status=str(item.get("status", "error")),
            text=str(item.get("text") or ""),
            error=item.get("error"),
            aside=str(item.get("aside") or ""),
        )
        for item in items
    )

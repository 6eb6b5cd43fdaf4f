"""Line-level helpers the rules share: searching tool output and quoting the lines a finding rests on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aisre.investigations.model.evidence import ToolResult

MAX_QUOTE = 240
# Lines that only frame a tool's output, never evidence.
_FRAME = re.compile(r"^\s*(stdout:|stderr:|```)\s*$")
# Escaped quotes come from outputs recorded as JSON strings; quoting them unescaped reads better.
_ESCAPED_QUOTE = re.compile(r'\\"')


@dataclass(frozen=True)
class Hit:
    """A matching line, where it came from, and the regex match on it."""

    result: ToolResult
    line: str
    match: re.Match[str]

    @property
    def quote(self) -> str:
        return quote(self.line)


def quote(line: str) -> str:
    text = _ESCAPED_QUOTE.sub('"', line.strip())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 3] + "..."


def lines(result: ToolResult) -> Iterator[str]:
    # Only the output: a failed call's error text is about the tool (kubectl, the API server), not the workload.
    for line in result.text.splitlines():
        if line.strip() and not _FRAME.match(line):
            yield line


def find(results: Iterable[ToolResult], pattern: re.Pattern[str] | str) -> list[Hit]:
    """Every line matching `pattern` (case-insensitive when given as a string), first occurrence of each text."""
    regex = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
    seen: set[str] = set()
    hits: list[Hit] = []
    for result in results:
        for line in lines(result):
            match = regex.search(line)
            key = line.strip()
            if match and key not in seen:
                seen.add(key)
                hits.append(Hit(result, line, match))
    return hits


def quotes(hits: Iterable[Hit], limit: int = 4) -> tuple[str, ...]:
    out: list[str] = []
    for hit in hits:
        if hit.quote not in out:
            out.append(hit.quote)
        if len(out) == limit:
            break
    return tuple(out)


def context(result: ToolResult, line: str, before: int = 2, after: int = 1) -> tuple[str, ...]:
    """The line with its neighbours, so a quoted log line keeps what led up to it."""
    all_lines = list(lines(result))
    try:
        index = all_lines.index(line)
    except ValueError:
        return (quote(line),)
    window = all_lines[max(0, index - before) : index + after + 1]
    return tuple(quote(item) for item in window)

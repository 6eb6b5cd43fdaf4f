"""Slow requests read from distributed traces: the span that spends the most time itself is the bottleneck."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aisre.investigations.model.analysis.finding import Finding
from aisre.investigations.model.evidence import Evidence

# Tempo's tree rendering: `├─ name (service) - 123.45ms`, nested by indentation.
_SPAN = re.compile(r"^(?P<indent>[\s│]*)[├└]─\s*(?P<name>.+?) \((?P<service>[^)]+)\) - (?P<ms>[\d.]+)ms")
_ATTR = re.compile(r"^[\s│]*(db\.statement|db\.system|downstream_url|http\.url):\s*(.+)$")


@dataclass
class Span:
    name: str
    service: str
    ms: float
    depth: int
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Span] = field(default_factory=list)

    @property
    def self_ms(self) -> float:
        return max(0.0, self.ms - sum(child.ms for child in self.children))

    @property
    def is_database(self) -> bool:
        return "db.system" in self.attributes or bool(re.search(r"query|sql|postgres|mysql|db", self.name, re.I))


def parse_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    stack: list[Span] = []
    for line in text.splitlines():
        match = _SPAN.match(line)
        if match:
            span = Span(match["name"], match["service"], float(match["ms"]), len(match["indent"]))
            while stack and stack[-1].depth >= span.depth:
                stack.pop()
            if stack:
                stack[-1].children.append(span)
            stack.append(span)
            spans.append(span)
            continue
        attr = _ATTR.match(line)
        if attr and stack:
            stack[-1].attributes.setdefault(attr.group(1), attr.group(2).strip())
    return spans


def slow_trace(evidence: Evidence) -> Finding | None:
    best: tuple[Span, Span] | None = None
    for result in evidence.of("fetch_tempo_trace_by_id"):
        spans = parse_spans(result.text)
        if not spans:
            continue
        bottleneck = max(spans, key=lambda s: s.self_ms)
        if best is None or bottleneck.self_ms > best[1].self_ms:
            best = (spans[0], bottleneck)
    if best is None:
        return None
    root, span = best
    share = span.ms / root.ms * 100 if root.ms else 0
    what = "a database query" if span.is_database else f"`{span.name}`"
    cause = (
        f"The request `{root.name}` takes {root.ms:.0f} ms, and most of it ({span.ms:.0f} ms, {share:.0f}%) "
        f"is spent in {what} in `{span.service}`: `{span.service}` is slow"
        + (" because of a slow database query." if span.is_database else ".")
    )
    lines = [f"{root.name} ({root.service}) - {root.ms:.2f}ms", f"{span.name} ({span.service}) - {span.ms:.2f}ms"]
    lines.extend(f"{key}: {value}" for key, value in span.attributes.items())
    return Finding(
        rule="slow_trace",
        root_cause=cause,
        evidence_lines=tuple(lines),
        confidence=0.85,
        suggestions=(
            f"Look at {what} in {span.service}: its plan (EXPLAIN), missing indexes, locks and table size"
            if span.is_database
            else f"Profile `{span.name}` in {span.service}",
            "Compare with the same span in fast traces to see whether it is always or only sometimes slow",
        ),
    )

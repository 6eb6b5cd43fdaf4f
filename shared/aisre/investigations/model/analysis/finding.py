"""A finding (one rule's conclusion with the evidence it rests on) and an analysis (the ranked findings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aisre.investigations.model.evidence import Issue


@dataclass(frozen=True)
class Finding:
    """A root cause stated in plain words, with the evidence lines it rests on and what to do about it."""

    rule: str
    root_cause: str
    evidence_lines: tuple[str, ...] = ()
    confidence: float = 0.5
    suggestions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, got {self.confidence}")


@dataclass(frozen=True)
class Analysis:
    """The issue and its findings, most confident first."""

    issue: Issue
    findings: tuple[Finding, ...] = ()
    tool_calls: tuple[str, ...] = field(default_factory=tuple)
    # What the gatherer said of its own reading (a bound reached, reads left undone): the answer repeats it.
    notes: tuple[str, ...] = ()

    @property
    def top(self) -> Finding | None:
        return self.findings[0] if self.findings else None

"""What remediation needs to know of an investigation's findings: a Protocol, so that remediation does not
depend on the investigations package (investigations asks remediation what to propose, not the reverse)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Conclusion(Protocol):
    """A root cause an analysis concluded: investigations' Finding satisfies it."""

    @property
    def rule(self) -> str: ...

    @property
    def root_cause(self) -> str: ...

    @property
    def confidence(self) -> float: ...

    @property
    def suggestions(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class TimelineFinding:
    """A finding as a diagnosis put it on the incident's timeline (`diagnosis_completed`'s `findings`)."""

    rule: str
    root_cause: str
    confidence: float
    suggestions: tuple[str, ...] = ()  # not kept on the timeline

    @classmethod
    def all_of(cls, raw: object) -> list[TimelineFinding]:
        """The well-formed entries of a payload's `findings` (anything else is skipped: it is stored data)."""
        found = []
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, dict) and isinstance(item.get("rule"), str):
                confidence = item.get("confidence")
                value = float(confidence) if isinstance(confidence, int | float) else 0.5
                found.append(cls(item["rule"], str(item.get("root_cause") or ""), min(max(value, 0.0), 1.0)))
        return found

"""What remediation needs to know of an investigation's findings: a Protocol, so that remediation does not
depend on the investigations package (investigations asks remediation what to propose, not the reverse)."""

from __future__ import annotations

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

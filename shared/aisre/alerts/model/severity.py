"""Reading the many ways tools spell severity into the platform's four levels."""

from __future__ import annotations

from typing import Any

from aisre.incidents.model.alert import Severity

_SYNONYMS: dict[str, Severity] = {}
for _severity, _words in {
    Severity.CRITICAL: (
        "critical",
        "crit",
        "fatal",
        "emergency",
        "emerg",
        "alert",
        "page",
        "disaster",
        "p1",
        "sev1",
        "sev0",
        "p0",
        "s1",
        "urgent",
    ),
    Severity.HIGH: ("high", "error", "err", "major", "p2", "sev2", "s2", "severe"),
    Severity.WARNING: (
        "warning",
        "warn",
        "medium",
        "moderate",
        "minor",
        "average",
        "p3",
        "sev3",
        "s3",
        "degraded",
    ),
    Severity.INFO: (
        "info",
        "informational",
        "information",
        "low",
        "notice",
        "debug",
        "ok",
        "none",
        "p4",
        "p5",
        "sev4",
        "sev5",
        "s4",
        "s5",
        "success",
        "not classified",
    ),
}.items():
    for _word in _words:
        _SYNONYMS[_word] = _severity


def parse_severity(value: Any, default: Severity = Severity.WARNING) -> Severity:
    """The severity a value names, or `default` when it names none (unknown words are not errors)."""
    if value is None:
        return default
    if isinstance(value, Severity):
        return value
    word = str(value).strip().lower().replace("-", "").replace("_", "")
    if word in _SYNONYMS:
        return _SYNONYMS[word]
    spaced = str(value).strip().lower()
    return _SYNONYMS.get(spaced, default)

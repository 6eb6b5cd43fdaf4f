"""Lambda's event filtering (an event source mapping's FilterCriteria), the subset the template uses, for streams.

A pattern is a JSON object shaped like the record: `{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S":
["META", {"prefix": "ACT#"}]}}}}`. A leaf is a list of rules, any of which may match: an exact value, or
`{"prefix": text}`. A record passes a mapping's filters when any of its patterns matches (Lambda's rule); a
mapping without filters passes everything. Other rule kinds (numeric, anything-but, exists, ...) are refused when
the template is read, rather than silently matching nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

Pattern = dict[str, Any]


class FilterError(ValueError):
    """A pattern this emulation does not implement."""


def parse_filter_criteria(criteria: Any) -> list[Pattern] | None:
    """The patterns of a template's FilterCriteria (`{"Filters": [{"Pattern": "<json>"}]}`); None: no filtering."""
    if not criteria:
        return None
    patterns: list[Pattern] = []
    for entry in criteria.get("Filters") or []:
        raw = entry.get("Pattern")
        pattern = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(pattern, dict):
            raise FilterError(f"a filter pattern must be a JSON object: {raw!r}")
        _check(pattern)
        patterns.append(pattern)
    return patterns or None


def _check(pattern: Any) -> None:
    for value in pattern.values():
        if isinstance(value, dict):
            _check(value)
        elif isinstance(value, list):
            for rule in value:
                if isinstance(rule, dict) and set(rule) != {"prefix"}:
                    raise FilterError(f"filter rule {rule!r}: only exact values and prefix are emulated locally")
        else:
            raise FilterError(f"filter pattern value {value!r}: a list of rules or an object is expected")


def matches(pattern: Pattern, record: dict[str, Any]) -> bool:
    """Whether `record` meets every condition of `pattern` (a missing field meets none)."""
    for name, condition in pattern.items():
        if name not in record:
            return False
        value = record[name]
        if isinstance(condition, dict):
            if not isinstance(value, dict) or not matches(condition, value):
                return False
        elif not _meets(condition, value):
            return False
    return True


def _meets(rules: list[Any], value: Any) -> bool:
    for rule in rules:
        if isinstance(rule, dict):
            if isinstance(value, str) and value.startswith(rule["prefix"]):
                return True
        elif rule == value:
            return True
    return False


def passes(patterns: Sequence[Pattern] | None, record: dict[str, Any]) -> bool:
    return patterns is None or any(matches(pattern, record) for pattern in patterns)


def key_patterns(patterns: Sequence[Pattern] | None) -> list[Pattern] | None:
    """The part of each pattern about the item's keys (`dynamodb.Keys`), with its `eventName`: what the emulator
    can test from a request before building any image. None: every key may match."""
    if patterns is None:
        return None
    keys: list[Pattern] = []
    for pattern in patterns:
        part: Pattern = {}
        if "eventName" in pattern:
            part["eventName"] = pattern["eventName"]
        key_condition = (pattern.get("dynamodb") or {}).get("Keys")
        if key_condition:
            part["dynamodb"] = {"Keys": key_condition}
        if not part:
            return None  # this pattern says nothing of keys: any key may pass it
        keys.append(part)
    return keys

"""A pod's required node affinity, read from its YAML (`kubectl get -o yaml`; describe does not show it), and
whether a node's labels satisfy it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aisre.investigations.model.kubectl.text import body_lines


@dataclass(frozen=True)
class Expression:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist, Gt, Lt
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.operator in ("Exists", "DoesNotExist"):
            return f"{self.key} {self.operator}"
        shown = ", ".join(self.values)
        return f"{self.key} {self.operator} [{shown}]"

    def holds(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if self.operator == "In":
            return value in self.values
        if self.operator == "NotIn":
            return value not in self.values
        if self.operator == "Exists":
            return value is not None
        if self.operator == "DoesNotExist":
            return value is None
        if self.operator in ("Gt", "Lt") and value is not None and self.values:
            try:
                return int(value) > int(self.values[0]) if self.operator == "Gt" else int(value) < int(self.values[0])
            except ValueError:
                return False
        return False


Term = tuple[Expression, ...]  # every expression of a term must hold; any one term suffices


def required_terms(yaml_text: str) -> list[Term]:
    """The nodeSelectorTerms of requiredDuringSchedulingIgnoredDuringExecution, [] when there are none or the
    text is not a pod's YAML."""
    import yaml  # the analyzer reads YAML only here, for the few pods whose scheduling failed on affinity

    lines = body_lines(yaml_text)
    try:
        affinity = _at(yaml.safe_load("\n".join(lines)), "spec", "affinity")
    except yaml.YAMLError:
        # A document that does not parse whole (a status message quoted badly): its affinity block alone may.
        affinity = _affinity_block(lines)
    required = _at(affinity, "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
    terms = []
    for term in _at(required, "nodeSelectorTerms") or []:
        expressions = tuple(
            Expression(str(e.get("key", "")), str(e.get("operator", "")), tuple(str(v) for v in e.get("values") or ()))
            for e in (_at(term, "matchExpressions") or [])
            if isinstance(e, Mapping)
        )
        if expressions:
            terms.append(expressions)
    return terms


def _affinity_block(lines: list[str]) -> Any:
    import yaml

    for start, line in enumerate(lines):
        if line.strip() == "affinity:":
            indent = len(line) - len(line.lstrip())
            block = [line[indent:]]
            for following in lines[start + 1 :]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent:
                    break
                block.append(following[indent:])
            try:
                return _at(yaml.safe_load("\n".join(block)), "affinity")
            except yaml.YAMLError:
                return None
    return None


def _at(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value

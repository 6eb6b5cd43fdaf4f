"""Labels, selectors, taints and tolerations as kubectl prints them, and whether they match."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "key=value:Effect" or "key:Effect" (a taint has a key and an effect, its value is optional).
_TAINT = re.compile(r"^([^=:\s]+)(?:=([^:\s]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$")
# A toleration: "[key][=value][:Effect][ op=Exists][ for Ns]"; an empty key with op=Exists ("op=Exists" alone,
# or ":NoSchedule op=Exists") tolerates every taint (of that effect).
_TOLERATION = re.compile(r"^(?!op=)([^=:\s]*)(?:=([^:\s]*))?(?::(\w+))?(?:\s*op=(\w+))?|^op=(\w+)")
BLOCKING_EFFECTS = frozenset({"NoSchedule", "NoExecute"})


def parse_labels(values: list[str]) -> dict[str, str]:
    """`key=value` items (a describe's Labels lines or a listing's LABELS cell split on commas)."""
    out: dict[str, str] = {}
    for item in values:
        for part in item.split(","):
            key, sep, value = part.strip().partition("=")
            if key and sep:
                out[key] = value
    return out


def selector_pairs(text: str | None) -> dict[str, str]:
    """An equality selector ("app=web,tier=front"); set-based terms ("env in (a,b)") are not read."""
    if not text or text.strip() in ("<none>", ""):
        return {}
    return {k: v for k, v in parse_labels([text]).items() if " " not in k}


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str

    def __str__(self) -> str:
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"

    @property
    def blocks_scheduling(self) -> bool:
        return self.effect in BLOCKING_EFFECTS


@dataclass(frozen=True)
class Toleration:
    key: str
    value: str
    effect: str
    exists: bool

    def tolerates(self, taint: Taint) -> bool:
        if self.effect and self.effect != taint.effect:
            return False
        if not self.key:
            return self.exists  # an empty key tolerates every taint only with op=Exists
        return self.key == taint.key and (self.exists or self.value == taint.value)


def parse_taints(values: list[str]) -> list[Taint]:
    taints = []
    for item in values:
        match = _TAINT.match(item.strip())
        if match:
            taints.append(Taint(match.group(1), match.group(2) or "", match.group(3)))
    return taints


def parse_tolerations(values: list[str]) -> list[Toleration]:
    tolerations = []
    for item in values:
        text = item.strip()
        match = _TOLERATION.match(text)
        if not text or match is None:
            continue
        key, value, effect, operator, bare_operator = match.groups()
        exists = (operator or bare_operator or "") == "Exists"
        tolerations.append(Toleration(key or "", value or "", effect or "", exists))
    return tolerations

"""Kubernetes resource quantities ("250m", "5Gi", "8025424Ki", "2") as numbers, and back into words."""

from __future__ import annotations

import re

_QUANTITY = re.compile(r"^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-zA-Z]*)$")
_SUFFIX = {
    "": 1.0,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}
BYTE_RESOURCES = frozenset({"memory", "ephemeral-storage", "storage"})


def parse_quantity(text: str | None) -> float | None:
    """The quantity in base units (cores, bytes, counts), None when the text is not a quantity."""
    match = _QUANTITY.match((text or "").strip().split(" ")[0])
    if match is None or match.group(2) not in _SUFFIX:
        return None
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def is_bytes(resource: str) -> bool:
    return resource in BYTE_RESOURCES or resource.startswith("hugepages-")


def show(resource: str, value: float) -> str:
    """A quantity as a person reads it: memory in Gi/Mi, CPU in cores or millicores, counts as they are."""
    if is_bytes(resource):
        for unit, size in (("Gi", 2.0**30), ("Mi", 2.0**20), ("Ki", 2.0**10)):
            if abs(value) >= size:
                return f"{value / size:.3g}{unit}" if value % size else f"{int(value // size)}{unit}"
        return f"{int(value)}"
    if resource == "cpu":
        if value and abs(value) < 1:
            return f"{round(value * 1000)}m"
        return f"{value:g}"
    return f"{value:g}"

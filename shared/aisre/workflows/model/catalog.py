"""The steps a workflow is made of: reads (the workflow-steps function, read-only identity), checks (a read that
fails its step while the workload is unhealthy, retried by the state machine), and the remediation's catalog
actions (the actions function, through ActionService and the policy). Nothing else can be a step: a workflow is
built from this catalog, never from text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aisre.remediation.model.actions import CATALOG, is_namespace_name


class StepKind(StrEnum):
    READ = "read"
    CHECK = "check"
    ACTION = "action"


class Undo(StrEnum):
    """How a write is compensated when a later step fails: the write that puts back what it changed."""

    SCALE_BACK = "scale_back"  # scale_deployment to the replica count read before it scaled
    ROLL_BACK_AGAIN = "roll_back_again"  # rollback_deployment once more: `rollout undo` returns to the template it left


@dataclass(frozen=True)
class StepType:
    name: str
    kind: StepKind
    description: str
    # The fields it takes, from its config or else the run's context (seed 001's context names them so).
    fields: tuple[str, ...]
    required: tuple[str, ...]
    # A real run waits for a person's approval (a task token) before the write; a dry run does not write.
    writes: bool = False
    undo: Undo | None = None


_READS = (
    StepType(
        "inspect_pod",
        StepKind.READ,
        "Read a pod: phase, each container's state, restarts, last termination (OOMKilled), memory limits, owner.",
        ("namespace", "pod_name"),
        ("namespace", "pod_name"),
    ),
    StepType(
        "inspect_deployment",
        StepKind.READ,
        "Read a deployment: replicas desired, ready and available, images, rollout status.",
        ("namespace", "deployment_name"),
        ("namespace", "deployment_name"),
    ),
    StepType(
        "check_deployment",
        StepKind.CHECK,
        "Fail unless the deployment's rollout is complete and none of its pods is crash-looping or OOM-killed; "
        "retried for about 90 s before the run compensates.",
        ("namespace", "deployment_name"),
        ("namespace", "deployment_name"),
    ),
)

_ACTION_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool, Undo | None]] = {
    # action: (fields, required, writes, undo)
    "restart_pod": (("namespace", "pod_name"), ("namespace", "pod_name"), True, None),  # a deleted pod stays deleted
    "scale_deployment": (
        ("namespace", "deployment_name", "replicas"),
        ("namespace", "deployment_name", "replicas"),
        True,
        Undo.SCALE_BACK,
    ),
    "rollback_deployment": (
        ("namespace", "deployment_name", "revision"),
        ("namespace", "deployment_name"),
        True,
        Undo.ROLL_BACK_AGAIN,
    ),
    "suggest_config_fix": (("component", "issue", "current_spec"), ("component", "issue"), False, None),
}

STEP_TYPES: dict[str, StepType] = {
    **{step.name: step for step in _READS},
    **{
        name: StepType(name, StepKind.ACTION, CATALOG[name].description, fields, required, writes, undo)
        for name, (fields, required, writes, undo) in _ACTION_FIELDS.items()
    },
}

# When a step's config and the run's context leave a field out, these context fields stand in, in order.
FALLBACKS: dict[str, tuple[str, ...]] = {"component": ("deployment_name", "service", "pod_name")}

TEXT_LENGTH = 32_768
_RELATIVE = re.compile(r"^[+-][0-9]{1,5}$")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def field_problem(name: str, value: Any) -> str | None:
    """Why `value` cannot be the field `name` of a step, or None. `replicas` may be relative ("+1", "-2"): it is
    resolved against the replica count read when the run gets there."""
    if name == "namespace":
        return None if isinstance(value, str) and is_namespace_name(value) else f"{value!r} is not a namespace name"
    if name in ("pod_name", "deployment_name"):
        if isinstance(value, str) and len(value) <= 253 and _NAME.match(value):
            return None
        return f"{value!r} is not a Kubernetes name"
    if name == "replicas":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100_000:
            return None
        if isinstance(value, str) and _RELATIVE.match(value):
            return None
        return f"{value!r} is not a replica count (0 to 100000) or a change of it (+1, -2)"
    if name == "revision":
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**31:
            return None
        return f"{value!r} is not a revision (a positive integer)"
    if not isinstance(value, str):
        return f"{name} must be text"
    if len(value.encode()) > TEXT_LENGTH:
        return f"{name} is longer than {TEXT_LENGTH} bytes"
    return None


def step_fields(step_type: StepType, config: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The step's fields for one run: its config first, then the run's context, then the fallbacks; absent or
    empty values are left out."""
    found: dict[str, Any] = {}
    for name in step_type.fields:
        for source, key in ((config, name), (context, name), *((context, other) for other in FALLBACKS.get(name, ()))):
            value = source.get(key)
            if value is not None and value != "":
                found[name] = value
                break
    return found


def resolve_replicas(value: Any, current: int) -> int:
    """An absolute replica count from `value` ("+1" against the `current` count; never below zero)."""
    if isinstance(value, str) and _RELATIVE.match(value):
        return max(0, current + int(value))
    return int(value)


def is_relative(value: Any) -> bool:
    return isinstance(value, str) and _RELATIVE.match(value) is not None

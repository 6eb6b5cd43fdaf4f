"""The remediation action catalog: what each action is, its argument schema and how far it reaches."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class BlastRadius(StrEnum):
    """How much of a cluster an action can disturb, from nothing to everything."""

    NONE = "none"
    SINGLE_POD = "single_pod"
    DEPLOYMENT = "deployment"
    NAMESPACE = "namespace"
    CLUSTER = "cluster"
    # Only for names outside the catalog: we cannot know their reach, so they rank above everything.
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        return list(BlastRadius).index(self)


class ArgumentType(StrEnum):
    NAMESPACE = "namespace"
    RESOURCE_NAME = "resource_name"
    INTEGER = "integer"
    TEXT = "text"


@dataclass(frozen=True)
class ArgumentSpec:
    name: str
    type: ArgumentType
    description: str
    required: bool = True
    minimum: int | None = None  # INTEGER only
    allow_empty: bool = False  # TEXT only


@dataclass(frozen=True)
class ActionSpec:
    name: str
    description: str
    arguments: tuple[ArgumentSpec, ...]
    blast_radius: BlastRadius
    # False: advice only, there is nothing to run.
    executable: bool
    # False: a human approves every run, whatever the policy's auto_approve list says.
    auto_executable: bool

    def argument(self, name: str) -> ArgumentSpec | None:
        return next((spec for spec in self.arguments if spec.name == name), None)


class SuggestedAction(BaseModel):
    """An action as an investigation proposes it; arguments are untrusted until evaluated."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    rationale: str = ""


class EvaluatedAction(BaseModel):
    """A suggestion after the policy engine: the shape the diagnosis shows under suggested_actions."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    arguments: dict[str, Any]
    executable: bool
    auto_executable: bool
    allowed: bool
    approval_required: bool
    dry_run: bool
    blast_radius: BlastRadius
    policy_name: str
    policy_reason: str
    violations: list[str] = Field(default_factory=list)


_NAMESPACE = ArgumentSpec("namespace", ArgumentType.NAMESPACE, "Kubernetes namespace of the target")
_DEPLOYMENT = ArgumentSpec("deployment_name", ArgumentType.RESOURCE_NAME, "Name of the target deployment")

CATALOG: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec(
            name="restart_pod",
            description="Restart one pod so its controller can recreate it.",
            arguments=(_NAMESPACE, ArgumentSpec("pod_name", ArgumentType.RESOURCE_NAME, "Name of the pod to restart")),
            blast_radius=BlastRadius.SINGLE_POD,
            executable=True,
            auto_executable=True,
        ),
        ActionSpec(
            name="scale_deployment",
            description="Set the replica count of a deployment.",
            arguments=(
                _NAMESPACE,
                _DEPLOYMENT,
                ArgumentSpec("replicas", ArgumentType.INTEGER, "Desired replica count", minimum=0),
                # Optional because a suggestion may not know it; without it the policy cannot
                # judge the size of the change, so it asks for approval instead.
                ArgumentSpec(
                    "current_replicas",
                    ArgumentType.INTEGER,
                    "Replica count before scaling",
                    required=False,
                    minimum=0,
                ),
            ),
            blast_radius=BlastRadius.DEPLOYMENT,
            executable=True,
            auto_executable=True,
        ),
        ActionSpec(
            name="rollback_deployment",
            description="Roll a deployment back to an earlier revision (the previous one unless named).",
            arguments=(
                _NAMESPACE,
                _DEPLOYMENT,
                ArgumentSpec("revision", ArgumentType.INTEGER, "Revision to roll back to", required=False, minimum=1),
            ),
            blast_radius=BlastRadius.DEPLOYMENT,
            executable=True,
            # A rollback can undo a fix or a migration: a person always decides.
            auto_executable=False,
        ),
        ActionSpec(
            name="suggest_config_fix",
            description="Suggest a configuration change for a person to review and apply.",
            arguments=(
                ArgumentSpec("component", ArgumentType.TEXT, "Component whose configuration is at fault"),
                ArgumentSpec("issue", ArgumentType.TEXT, "What is wrong with the configuration"),
                ArgumentSpec("current_spec", ArgumentType.TEXT, "The configuration as it is now", allow_empty=True),
            ),
            blast_radius=BlastRadius.NONE,
            executable=False,
            auto_executable=False,
        ),
    )
}

# Kubernetes' own name rules (DNS-1123). Checking them here also stops look-alikes such as
# "Kube-System" or "kube-system " from slipping past the policy's namespace lists.
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def is_namespace_name(value: str) -> bool:
    """Whether `value` is a name Kubernetes accepts for a namespace."""
    return len(value) <= 63 and _DNS_LABEL.match(value) is not None


def _value_problem(spec: ArgumentSpec, value: Any) -> str | None:
    """Why `value` does not fit `spec`, or None when it does."""
    if spec.type is ArgumentType.INTEGER:
        # bool is an int subclass; True replicas is a mistake, not 1.
        if not isinstance(value, int) or isinstance(value, bool):
            return f"argument '{spec.name}' must be an integer, got {type(value).__name__}"
        if spec.minimum is not None and value < spec.minimum:
            return f"argument '{spec.name}' must be at least {spec.minimum}, got {value}"
        return None
    if not isinstance(value, str):
        return f"argument '{spec.name}' must be a string, got {type(value).__name__}"
    if spec.type is ArgumentType.NAMESPACE:
        if not is_namespace_name(value):
            return f"argument '{spec.name}' is not a valid Kubernetes namespace: {value!r}"
    elif spec.type is ArgumentType.RESOURCE_NAME:
        if len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
            return f"argument '{spec.name}' is not a valid Kubernetes name: {value!r}"
    elif not spec.allow_empty and not value.strip():
        return f"argument '{spec.name}' must not be empty"
    return None


def argument_problems(spec: ActionSpec, arguments: Mapping[str, Any]) -> list[str]:
    """Every way `arguments` break the action's schema: unknown, missing or ill-typed arguments."""
    problems = [
        f"unexpected argument {name!r} for {spec.name}" for name in arguments if spec.argument(str(name)) is None
    ]
    for argument in spec.arguments:
        if argument.name not in arguments:
            if argument.required:
                problems.append(f"missing required argument '{argument.name}' for {spec.name}")
            continue
        problem = _value_problem(argument, arguments[argument.name])
        if problem is not None:
            problems.append(problem)
    return problems

"""The policy engine: decides whether a suggested action is allowed, needs approval or runs dry; executes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from aisre.core.errors import ValidationError
from aisre.remediation.model.actions import (
    CATALOG,
    ActionSpec,
    BlastRadius,
    EvaluatedAction,
    SuggestedAction,
    argument_problems,
    is_namespace_name,
)

WITHIN_GUARDRAILS = "Action is within guardrails"


def _check_action_names(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - CATALOG.keys())
    if unknown:
        raise ValueError(f"unknown action(s) {', '.join(unknown)}; known: {', '.join(sorted(CATALOG))}")


class ReplicaBounds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    min: int = Field(default=1, ge=0)
    max: int = Field(default=20, ge=0)
    # Scaling up or down by more than this factor needs approval.
    max_change_factor: float = Field(default=2.0, ge=1.0)

    @field_validator("max")
    @classmethod
    def _max_not_below_min(cls, value: int, info: pydantic.ValidationInfo) -> int:
        minimum = info.data.get("min")
        if minimum is not None and value < minimum:
            raise ValueError(f"max {value} is below min {minimum}")
        return value


class RateLimit(BaseModel):
    """At most max_executions of one action in one namespace within window_minutes, and, when
    max_per_target is set, at most that many on any one target (pod, deployment) in the same window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_executions: int = Field(ge=0)
    window_minutes: int = Field(gt=0)
    max_per_target: int | None = Field(default=None, ge=0)


def _default_rate_limits() -> dict[str, RateLimit]:
    return {
        "restart_pod": RateLimit(max_executions=3, window_minutes=60),
        "scale_deployment": RateLimit(max_executions=3, window_minutes=60),
        "rollback_deployment": RateLimit(max_executions=1, window_minutes=60),
    }


class Policy(BaseModel):
    """Guardrails for remediation; every field has a safe default, so `Policy()` is the default policy."""

    # Unknown fields are refused: a misspelt guardrail would otherwise be silently ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="default", min_length=1)
    allowed_actions: tuple[str, ...] = tuple(CATALOG)
    # Empty means every namespace that is not denied.
    allowed_namespaces: tuple[str, ...] = ()
    denied_namespaces: tuple[str, ...] = ("kube-system", "kube-public", "kube-node-lease")
    replicas: ReplicaBounds = ReplicaBounds()
    # Keyed by action name; an action without an entry has no rate limit. A document's
    # rate_limits replaces this whole map, it does not merge with it.
    rate_limits: dict[str, RateLimit] = Field(default_factory=_default_rate_limits)
    dry_run: bool = True
    approval_required: bool = True
    # Actions exempt from approval_required (escalations below still apply to them).
    auto_approve: tuple[str, ...] = ()
    # Above this reach, approval is always required, auto_approve or not.
    blast_radius_ceiling: BlastRadius = BlastRadius.SINGLE_POD

    @field_validator("allowed_actions", "auto_approve")
    @classmethod
    def _actions_in_catalog(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        _check_action_names(names)
        return names

    @field_validator("allowed_namespaces", "denied_namespaces")
    @classmethod
    def _namespaces_well_formed(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        # A denied "Kube-System" would match nothing, since arguments must be valid names: say so now.
        malformed = [name for name in names if not is_namespace_name(name)]
        if malformed:
            raise ValueError(f"not valid Kubernetes namespace names: {', '.join(map(repr, malformed))}")
        return names

    @field_validator("rate_limits")
    @classmethod
    def _rate_limited_actions_in_catalog(cls, limits: dict[str, RateLimit]) -> dict[str, RateLimit]:
        _check_action_names(limits)
        return limits


DEFAULT_POLICY = Policy()


def load_policy(document: str | Mapping[str, Any] | None) -> Policy:
    """A Policy from a JSON document or a dict (None: the default); ValidationError names the bad field."""
    if document is None:
        return DEFAULT_POLICY
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"policy document is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from exc
    if not isinstance(document, Mapping):
        raise ValidationError(f"policy document must be a JSON object, got {type(document).__name__}")
    try:
        return Policy.model_validate(document)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        # pydantic prefixes custom messages with "Value error, "; the reader wants only ours.
        message = first["msg"].removeprefix("Value error, ")
        raise ValidationError(
            f"invalid policy field {field}: {message}" if field else f"invalid policy: {message}",
            field=field,
            details={"errors": len(exc.errors())},
        ) from exc


def rate_limit_key(action_name: str, namespace: str) -> str:
    """The key under which callers count recent executions of an action in a namespace."""
    # ':' can appear in neither an action name nor a namespace, so keys never collide.
    return f"{action_name}:{namespace}"


def _refusals(
    spec: ActionSpec, arguments: Mapping[str, Any], policy: Policy, recent_executions: Mapping[str, int]
) -> list[str]:
    """Every rule the action breaks; any one of them refuses it."""
    refusals = policy_refusals(spec, arguments, policy)
    namespace = arguments.get("namespace")
    limit = policy.rate_limits.get(spec.name)
    if limit is not None and isinstance(namespace, str):
        count = recent_executions.get(rate_limit_key(spec.name, namespace), 0)
        if count >= limit.max_executions:
            refusals.append(
                f"rate limit: {count} {spec.name} in {namespace} in the last {limit.window_minutes} minutes"
                f" (max {limit.max_executions})"
            )
    return refusals


def policy_refusals(spec: ActionSpec, arguments: Mapping[str, Any], policy: Policy) -> list[str]:
    """Every rule other than the rate limits that the action breaks (allowed actions, namespaces, replica
    bounds); any one of them refuses it. Execution judges rate limits apart: they refuse for a while, 429."""
    refusals: list[str] = []
    if spec.name not in policy.allowed_actions:
        refusals.append(f"action {spec.name} is not allowed by policy {policy.name}")
    namespace = arguments.get("namespace")
    if isinstance(namespace, str):
        if namespace in policy.denied_namespaces:
            refusals.append(f"namespace {namespace} is denied")
        elif policy.allowed_namespaces and namespace not in policy.allowed_namespaces:
            allowed = ", ".join(policy.allowed_namespaces)
            refusals.append(f"namespace {namespace} is not among the allowed namespaces ({allowed})")
    replicas = arguments.get("replicas")
    if isinstance(replicas, int):
        if replicas > policy.replicas.max:
            refusals.append(f"replicas {replicas} above the maximum {policy.replicas.max}")
        elif replicas < policy.replicas.min:
            refusals.append(f"replicas {replicas} below the minimum {policy.replicas.min}")
    return refusals


def _change_factor(current: int, target: int) -> float:
    """How many times larger the bigger of the two counts is; scaling down counts as much as up."""
    if current == target:
        return 1.0
    if min(current, target) == 0:
        return float("inf")
    return max(current, target) / min(current, target)


def _escalations(spec: ActionSpec, arguments: Mapping[str, Any], policy: Policy) -> list[str]:
    """Reasons an allowed action needs a human even where the policy would auto-approve it."""
    escalations: list[str] = []
    if not spec.auto_executable:
        escalations.append(f"{spec.name} is never executed automatically: approval required")
    if spec.blast_radius.rank > policy.blast_radius_ceiling.rank:
        escalations.append(
            f"blast radius {spec.blast_radius} is above the ceiling {policy.blast_radius_ceiling}: approval required"
        )
    if spec.name == "scale_deployment":
        target, current = arguments["replicas"], arguments.get("current_replicas")
        limit = policy.replicas.max_change_factor
        if current is None:
            escalations.append(
                f"current replicas unknown, so the {limit:g}x change limit cannot be checked: approval required"
            )
        elif _change_factor(current, target) > limit:
            escalations.append(
                f"scaling from {current} to {target} replicas is more than a {limit:g}x change: approval required"
            )
    return escalations


def approval_by_default(spec: ActionSpec, policy: Policy) -> bool:
    """Whether the policy asks a person to approve this action before any escalation is considered."""
    return policy.approval_required and spec.name not in policy.auto_approve


def approval_reasons(spec: ActionSpec, arguments: Mapping[str, Any], policy: Policy) -> list[str]:
    """Why a person must approve this (executable, allowed) action; empty: the policy lets it run unapproved."""
    escalations = _escalations(spec, arguments, policy)
    if escalations:
        return escalations
    if approval_by_default(spec, policy):
        return [f"policy {policy.name} requires approval for {spec.name}"]
    return []


def _refused(action: SuggestedAction, spec: ActionSpec | None, policy: Policy, reasons: list[str]) -> EvaluatedAction:
    return EvaluatedAction(
        name=action.name,
        description=spec.description if spec else "",
        arguments=action.arguments,
        executable=spec.executable if spec else False,
        auto_executable=spec.auto_executable if spec else False,
        allowed=False,
        approval_required=True,
        dry_run=True,
        blast_radius=spec.blast_radius if spec else BlastRadius.UNKNOWN,
        policy_name=policy.name,
        policy_reason=reasons[0],
        violations=reasons,
    )


def evaluate(action: SuggestedAction, policy: Policy, recent_executions: Mapping[str, int]) -> EvaluatedAction:
    """Judge one suggestion against the policy; a refusal comes back as allowed=False, never as an exception.

    recent_executions counts executions per rate_limit_key(action, namespace) within each action's
    rate-limit window; it is required so that forgetting it cannot silently lift the rate limits.
    """
    spec = CATALOG.get(action.name)
    if spec is None:
        return _refused(action, None, policy, [f"unknown action {action.name!r}"])
    problems = argument_problems(spec, action.arguments)
    if problems:
        return _refused(action, spec, policy, problems)
    refusals = _refusals(spec, action.arguments, policy, recent_executions)
    if refusals:
        return _refused(action, spec, policy, refusals)
    if not spec.executable:
        return EvaluatedAction(
            name=spec.name,
            description=spec.description,
            arguments=action.arguments,
            executable=False,
            auto_executable=False,
            allowed=True,
            approval_required=False,
            dry_run=True,
            blast_radius=spec.blast_radius,
            policy_name=policy.name,
            policy_reason=f"{spec.name} is advice only: nothing is executed",
        )
    escalations = _escalations(spec, action.arguments, policy)
    by_default = approval_by_default(spec, policy)
    return EvaluatedAction(
        name=spec.name,
        description=spec.description,
        arguments=action.arguments,
        executable=True,
        auto_executable=spec.auto_executable,
        allowed=True,
        approval_required=by_default or bool(escalations),
        dry_run=policy.dry_run,
        blast_radius=spec.blast_radius,
        policy_name=policy.name,
        policy_reason=escalations[0] if escalations else WITHIN_GUARDRAILS,
    )


def evaluate_all(
    actions: Iterable[SuggestedAction], policy: Policy, recent_executions: Mapping[str, int]
) -> list[EvaluatedAction]:
    """Judge suggestions in order; each allowed one counts toward the rate limit of those after it."""
    # Ten restart_pod suggestions in one diagnosis must not each see the same remaining budget.
    counts = dict(recent_executions)
    evaluated: list[EvaluatedAction] = []
    for action in actions:
        result = evaluate(action, policy, counts)
        namespace = action.arguments.get("namespace")
        if result.allowed and result.executable and isinstance(namespace, str):
            key = rate_limit_key(action.name, namespace)
            counts[key] = counts.get(key, 0) + 1
        evaluated.append(result)
    return evaluated

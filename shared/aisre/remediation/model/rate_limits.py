"""Rate limits as slots: a limit of N executions per window is N slots, each taken by one execution for one
window. An execution takes a free slot (never taken, or taken longer ago than the window) with a conditional
write, so two executions racing for the last slot cannot both win, and at most N run in any window."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from aisre.remediation.model.policy import Policy, RateLimit, rate_limit_key
from aisre.remediation.model.requests import ActionRequest


@dataclass(frozen=True)
class RateScope:
    """One limit an execution counts against: the action in its namespace, or on its target."""

    key: str  # action:namespace or action:namespace:target (':' is in no Kubernetes name)
    slots: int
    window: timedelta
    description: str  # "restart_pod in production", "scale_deployment of production/api"


def rate_scopes(request: ActionRequest, policy: Policy) -> list[RateScope]:
    limit: RateLimit | None = policy.rate_limits.get(request.action)
    namespace = request.namespace
    if limit is None or namespace is None:
        return []
    window = timedelta(minutes=limit.window_minutes)
    scopes = [
        # The key a diagnosis counts its spent limits under (policy.rate_limit_key): the same slots.
        RateScope(
            rate_limit_key(request.action, namespace), limit.max_executions, window, f"{request.action} in {namespace}"
        )
    ]
    target = request.target
    if limit.max_per_target is not None and target is not None:
        scopes.append(
            RateScope(
                f"{request.action}:{namespace}:{target}",
                limit.max_per_target,
                window,
                f"{request.action} of {namespace}/{target}",
            )
        )
    return scopes


@dataclass(frozen=True)
class SlotChoice:
    """A free slot to take (`index`, and `taken_at`, when it was last taken, for the condition), or, when
    every slot is busy, how long until the oldest frees up."""

    index: int | None
    taken_at: datetime | None
    retry_after_seconds: int
    used: int


def busy_slots(taken: Mapping[int, datetime], slots: int, window: timedelta, now: datetime) -> dict[int, datetime]:
    """The slots of `taken` (index -> when it was taken, as read) still held: taken within the window."""
    return {index: at for index, at in taken.items() if index < slots and now - at < window}


def choose_slot(scope: RateScope, taken: Mapping[int, datetime], now: datetime) -> SlotChoice:
    """`taken` maps slot index -> when it was taken, as read."""
    busy = busy_slots(taken, scope.slots, scope.window, now)
    for index in range(scope.slots):
        if index not in busy:
            return SlotChoice(index, taken.get(index), 0, len(busy))
    if not busy:  # a limit of zero executions: nothing frees up within a window
        return SlotChoice(None, None, math.ceil(scope.window.total_seconds()), 0)
    oldest = min(busy.values())
    wait = (oldest + scope.window - now).total_seconds()
    return SlotChoice(None, None, max(1, math.ceil(wait)), len(busy))


def limit_reason(scope: RateScope, choice: SlotChoice) -> str:
    minutes = round(scope.window.total_seconds() / 60)
    return f"rate limit: {choice.used} {scope.description} in the last {minutes} minutes (max {scope.slots})"

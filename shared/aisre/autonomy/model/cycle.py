"""One autonomy cycle's rules, pure: which of a diagnosis' suggested actions it may take, what it decided for each
(kept so that each suggestion is acted on once in a mode), and the report it answers with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisre.autonomy.model.config import AutonomyConfig, Mode
from aisre.remediation.model.requests import suggestion_key


class Chosen(BaseModel):
    """A suggested action the cycle may take, as the diagnosis shows it."""

    model_config = ConfigDict(frozen=True)

    action: str
    arguments: dict[str, Any]
    suggestion_key: str


class Skip(BaseModel):
    incident_id: str
    action: str | None = None  # None: the whole incident
    reason: str


def why_not(suggestion: Mapping[str, Any], config: AutonomyConfig) -> str | None:
    """Why autonomy leaves a suggested action (as the diagnosis shows it) to a person; None: it may take it."""
    name = suggestion.get("name")
    arguments = suggestion.get("arguments")
    namespace = arguments.get("namespace") if isinstance(arguments, Mapping) else None
    if name not in config.autonomous_actions:
        return f"{name} is not an autonomous action (AUTONOMY_ACTIONS: {', '.join(config.autonomous_actions)})"
    if not suggestion.get("executable", False):
        return f"{name} is advice only"
    if not suggestion.get("allowed", False):
        return f"the policy refused it when diagnosed: {suggestion.get('policy_reason') or 'no reason given'}"
    if not isinstance(arguments, Mapping):
        return f"{name} has no arguments to act on"
    if config.allowed_namespaces and namespace not in config.allowed_namespaces:
        return (
            f"namespace {namespace} is not among AUTONOMY_ALLOWED_NAMESPACES ({', '.join(config.allowed_namespaces)})"
        )
    if suggestion.get("approval_id"):
        # Someone (a person, an execution held for approval, an earlier cycle) asked: a person decides now.
        status = suggestion.get("approval_status")
        return f"approval {suggestion['approval_id']} was asked for it ({status}): a person decides"
    return None


def choose(
    incident_id: str, suggested: Sequence[Mapping[str, Any]], config: AutonomyConfig
) -> tuple[list[Chosen], list[Skip]]:
    """The suggestions autonomy may take (the allow-lists, the policy's judgement at diagnosis time, no approval
    asked yet), and why each other one is left to a person."""
    chosen: list[Chosen] = []
    skipped: list[Skip] = []
    for item in suggested:
        name = str(item.get("name", ""))
        reason = why_not(item, config)
        if reason is not None:
            skipped.append(Skip(incident_id=incident_id, action=name, reason=reason))
            continue
        arguments = dict(item["arguments"])
        chosen.append(Chosen(action=name, arguments=arguments, suggestion_key=suggestion_key(name, arguments)))
    return chosen, skipped


class DecisionStatus(StrEnum):
    CLAIMED = "claimed"  # a cycle is acting on it (until lease_until: past it, the cycle died and another may)
    DONE = "done"  # acted on: never again in this mode
    DEFERRED = "deferred"  # could not be acted on now (a spent rate limit): again after lease_until


class Decision(BaseModel):
    """What autonomy decided for one suggestion of one incident in one mode: claimed before it acts, so that
    cycles running at once (the schedule, POST /autonomy/run) act on it once."""

    workspace_id: str
    incident_id: str
    suggestion_key: str
    mode: Mode
    action: str
    arguments: dict[str, Any]
    cycle_id: str
    status: DecisionStatus = DecisionStatus.CLAIMED
    claimed_at: datetime
    lease_until: datetime
    finished_at: datetime | None = None
    outcome: dict[str, Any] | None = None

    def holds(self, now: datetime) -> bool:
        """Whether it keeps the suggestion from being acted on (again) now."""
        return self.status is DecisionStatus.DONE or self.lease_until > now

    def why(self) -> str:
        if self.status is DecisionStatus.DONE:
            outcome = (self.outcome or {}).get("status", "done")
            return f"autonomy acted on it already ({self.mode.value}: {outcome}, cycle {self.cycle_id})"
        if self.status is DecisionStatus.DEFERRED:
            return f"deferred until {self.lease_until.isoformat()}: {(self.outcome or {}).get('message', '')}"
        return f"cycle {self.cycle_id} is acting on it"


def not_decided(
    incident_id: str, chosen: Sequence[Chosen], decisions: Mapping[str, Decision], now: datetime
) -> tuple[list[Chosen], list[Skip]]:
    """`chosen` without those a decision in this mode still holds (`decisions` by suggestion_key)."""
    left: list[Chosen] = []
    skipped: list[Skip] = []
    for item in chosen:
        decision = decisions.get(item.suggestion_key)
        if decision is not None and decision.holds(now):
            skipped.append(Skip(incident_id=incident_id, action=item.action, reason=decision.why()))
        else:
            left.append(item)
    return left, skipped


class ActionStatus(StrEnum):
    """What became of an action a cycle took: the action's own outcome, or why it did not run."""

    DRY_RUN = "dry_run"
    SUCCESS = "success"
    PENDING_APPROVAL = "pending_approval"
    FAILED = "failed"
    REFUSED = "refused"  # the policy refuses it now (403 to a person)
    RATE_LIMITED = "rate_limited"  # deferred until the limit frees (429 to a person)
    ERROR = "error"  # storage or a concurrent run: the next cycle tries again


class ActionTaken(BaseModel):
    incident_id: str
    workspace_id: str
    action: str
    arguments: dict[str, Any]
    suggestion_key: str
    mode: Mode
    status: ActionStatus
    message: str
    approval_id: str | None = None
    execution_id: str | None = None
    verified: bool | None = None

    @property
    def final(self) -> bool:
        """Acted on for good in this mode (the rest are tried again by a later cycle)."""
        return self.status not in (ActionStatus.RATE_LIMITED, ActionStatus.ERROR)


# A report lists at most this many skipped suggestions: enough to see why, bounded whatever the backlog.
MAX_SKIPS_REPORTED = 200


class CycleReport(BaseModel):
    cycle_id: str
    trigger: str
    mode: Mode
    started_at: datetime
    finished_at: datetime | None = None
    incidents_examined: int = 0
    incidents_acted_on: int = 0
    actions: list[ActionTaken] = Field(default_factory=list)
    skipped: list[Skip] = Field(default_factory=list)
    skipped_count: int = 0
    complete: bool = True  # False: the cycle stopped at its incident limit or its time; the next one goes on
    stopped_because: str | None = None

    def skip(self, skips: Sequence[Skip]) -> None:
        self.skipped_count += len(skips)
        room = MAX_SKIPS_REPORTED - len(self.skipped)
        if room > 0:
            self.skipped.extend(skips[:room])

    def stop(self, because: str) -> None:
        self.complete = False
        self.stopped_because = because

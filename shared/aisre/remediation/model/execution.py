"""An action's outcome (the response of /actions/execute, seed 001) and the execution record that makes it
happen once: claimed before the cluster is touched, finished with the outcome, read back by any retry."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OutcomeStatus(StrEnum):
    DRY_RUN = "dry_run"
    SUCCESS = "success"
    PENDING_APPROVAL = "pending_approval"
    FAILED = "failed"


class Verification(BaseModel):
    """What was seen after the write: healthy again (`verified`), or not within the bound."""

    verified: bool
    observed: str
    waited_seconds: float
    reads: int


class ActionOutcome(BaseModel):
    """What happened to one request: the seed's fields first (status, action, message, the target's), then
    the platform's (the execution, approval, policy, verification, a config proposal)."""

    model_config = ConfigDict(frozen=True)

    status: OutcomeStatus
    action: str
    message: str
    target: dict[str, Any] = Field(default_factory=dict)
    dry_run: bool = True
    execution_id: str | None = None
    approval_id: str | None = None
    incident_id: str | None = None
    approval_required: bool = False
    policy_name: str | None = None
    policy_reason: str | None = None
    verified: bool | None = None
    verification: Verification | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    proposal: dict[str, Any] | None = None
    replayed: bool = False

    def public(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status.value, "action": self.action, "message": self.message}
        body.update(self.target)
        extra = self.model_dump(mode="json", exclude={"status", "action", "message", "target"}, exclude_none=True)
        if not extra.get("details"):
            extra.pop("details", None)
        return body | extra


class ExecutionStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Execution(BaseModel):
    """The record one execution is claimed under. Its id is derived from its key (the approval's id, the
    Idempotency-Key, or the request itself within the idempotency window), so every retry finds it."""

    id: str
    workspace_id: str
    key: str
    fingerprint: str
    action: str
    arguments: dict[str, Any]
    incident_id: str | None = None
    approval_id: str | None = None
    principal: str
    status: ExecutionStatus = ExecutionStatus.RUNNING
    attempt: int = 1
    started_at: datetime
    lease_until: datetime
    reusable_after: datetime | None = None  # a request-derived key may run again once this has passed
    finished_at: datetime | None = None
    outcome: dict[str, Any] | None = None
    # What the attempt read before writing, so an attempt that takes over an abandoned one can tell whether
    # the write already happened (the pod's uid, the replica count, the revision).
    before: dict[str, Any] = Field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status is not ExecutionStatus.RUNNING


def execution_id_for(workspace_id: str, key: str) -> str:
    return "act-" + hashlib.sha256(f"{workspace_id}\n{key}".encode()).hexdigest()[:20]

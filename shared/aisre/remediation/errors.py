"""The remediation's errors, each a core error so that it maps to HTTP once (core/http/errors.py)."""

from __future__ import annotations

from typing import Any

from aisre.core.errors import ConflictError, ForbiddenError, RateLimitedError, UpstreamError


class PolicyRefusedError(ForbiddenError):
    """The policy forbids the action (403): the response names the policy and every reason."""

    @classmethod
    def of(cls, policy_name: str, reasons: list[str]) -> PolicyRefusedError:
        return cls(
            f"refused by policy {policy_name}: {reasons[0]}",
            details={"policy_name": policy_name, "policy_reason": reasons[0], "violations": reasons},
        )


class ActionRateLimitedError(RateLimitedError):
    """The action's rate limit for this namespace or target is spent (429 with Retry-After)."""

    @classmethod
    def of(cls, policy_name: str, reason: str, retry_after_seconds: int) -> ActionRateLimitedError:
        return cls(
            f"rate limited by policy {policy_name}: {reason}",
            retry_after_seconds=retry_after_seconds,
            details={"policy_name": policy_name, "policy_reason": reason},
        )


class ApprovalDecidedError(ConflictError):
    """The approval was already approved, rejected, or has expired: it is decided once."""


class SelfApprovalError(ForbiddenError):
    """APPROVAL_REQUIRE_DISTINCT: the principal who asked for an approval cannot give it."""


class ExecutionInProgressError(ConflictError):
    """The same request is being carried out right now (another attempt holds it); ask again shortly."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message, details=details)


class ClusterError(UpstreamError):
    """The cluster refused or failed a call: `status` and `reason` are the API server's (NotFound, Forbidden),
    `message` its own words. Services turn it into an action that failed, never into a 5xx."""

    def __init__(self, message: str, *, status: int | None = None, reason: str = ""):
        super().__init__(message, details={"status": status, "reason": reason})
        self.status = status
        self.reason = reason

    @property
    def not_found(self) -> bool:
        return self.status == 404

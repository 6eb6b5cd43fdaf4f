"""The AisreError hierarchy: named failures with no HTTP in them (api/errors.py maps them to statuses).

Step Functions Retry/Catch match on these class names, so renaming one is a breaking change.
"""

from __future__ import annotations

from typing import Any


class AisreError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}


class PayloadError(AisreError):
    """The request body cannot be read, or fits no shape the named provider sends."""


class UnknownSourceError(PayloadError):
    """No normalizer is registered under the given source name."""


class ValidationError(AisreError):
    """A field has a value the platform cannot accept."""


class PayloadTooLargeError(AisreError):
    """The body is over the configured size limit."""


class AuthenticationError(AisreError):
    """No credentials, or credentials that match nothing."""


class SignatureMissingError(AuthenticationError):
    """The provider signs its webhooks, a secret is configured, and the signature header is absent."""


class SignatureMalformedError(AisreError):
    """The signature header is present but not in the provider's format."""


class SignatureMismatchError(AuthenticationError):
    """The signature does not match the raw body under any configured secret."""


class SignatureExpiredError(AuthenticationError):
    """The signed timestamp is outside the provider's replay window."""


class ForbiddenError(AisreError):
    """The caller is known but the request is refused: a policy forbids it, or the caller may not do it."""


class RateLimitedError(AisreError):
    """Too many of these within a window; `retry_after_seconds` says when one more would be accepted."""

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: int = 60,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ):
        super().__init__(message, field=field, details={**(details or {}), "retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = max(1, retry_after_seconds)


class NotFoundError(AisreError):
    """The resource does not exist, or belongs to a workspace the caller cannot see."""


class InvalidTransitionError(AisreError):
    """The incident cannot move from its current state to the requested one."""


class ConflictError(AisreError):
    """A conditional write lost a race; the caller may re-read and try again."""


class StorageError(AisreError):
    """The data store failed; nothing was acknowledged, so the sender should retry."""


class UpstreamError(AisreError):
    """A service outside the platform (not its own store) failed or refused; the caller may retry."""


class DependencyUnavailableError(AisreError):
    """An AWS service the platform runs on (its table, a queue, the workflow) is unreachable, throttling or failing;
    nothing was acknowledged, so the caller should retry. The message names the service, never its address."""

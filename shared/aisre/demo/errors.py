"""The demo's errors, each a core error so that it maps to HTTP once (core/http/errors.py)."""

from __future__ import annotations

from aisre.core.errors import ConflictError, ForbiddenError


class DemoRefusedError(ForbiddenError):
    """Seeding asked by a key scoped to one workspace while API keys are configured (403)."""


class SeedingInProgressError(ConflictError):
    """Another request is seeding the workspace right now (409)."""

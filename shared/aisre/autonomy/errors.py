"""Autonomy's errors, each a core error so that it maps to HTTP once (core/http/errors.py)."""

from __future__ import annotations

from aisre.core.errors import ConflictError


class AutonomyDisabledError(ConflictError):
    """A cycle was asked for while autonomy is off (AUTONOMY_ENABLED): 409, and nothing was read or done."""

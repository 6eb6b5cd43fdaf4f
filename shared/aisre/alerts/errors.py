"""The alerts' error classes, each a core error so it maps to HTTP once (core/http/errors.py)."""

from __future__ import annotations

from aisre.core.errors import ValidationError


class StaleEventError(ValidationError):
    """A signed provider event older than its replay window (a captured delivery sent again): 422, kept."""

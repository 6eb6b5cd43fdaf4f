"""The time services stamp things with: one function, so a service takes `clock=` and a test passes its own."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)

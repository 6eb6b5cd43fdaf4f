"""The current time as a tool reported it (HolmesGPT's `get_current_time`): questions about "yesterday" or "last
Thursday" are resolved against the time the tools see, so a recorded investigation answers as it did then."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)")
_EPOCH = re.compile(r"timestamp in seconds is (\d{9,11})")


def parse_current_time(text: str) -> datetime | None:
    """The time `get_current_time` reported ("The current UTC date and time are 2025-06-19 08:12:45+00:00.")."""
    match = _STAMP.search(text)
    if match:
        try:
            value = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        except ValueError:
            value = None
        if value is not None:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    epoch = _EPOCH.search(text)
    return datetime.fromtimestamp(int(epoch.group(1)), UTC) if epoch else None

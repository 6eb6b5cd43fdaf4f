"""The one timestamp format of every response: ISO 8601 in UTC with a `Z`, as pydantic writes a UTC datetime
(2026-12-02T03:25:46.123456Z; no fraction when there is none). Response models declare `UtcDatetime`; text that
carries a moment (a timeline payload, an index's metadata, an answer) is made with `utc_iso`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema


def utc_iso(moment: datetime) -> str:
    """`moment` in UTC, `Z`-suffixed. A naive datetime is taken as UTC: the platform's clock is (core.clock)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat().removesuffix("+00:00") + "Z"


# A datetime that leaves as `utc_iso` text whatever its zone (an offset a client sent, a naive value read back),
# documented as the date-time string it is.
UtcDatetime = Annotated[
    datetime,
    PlainSerializer(utc_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

"""A payload kept as received because an alert in it did not fit an incident whole (incidents' alert_bounds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RawPayload:
    id: str
    workspace_id: str
    source: str
    body: bytes
    content_type: str | None
    received_at: datetime

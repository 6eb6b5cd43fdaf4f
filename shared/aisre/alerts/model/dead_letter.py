"""A payload the platform could not take, kept with its error so an operator can read and replay it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class DeadLetter:
    id: str
    workspace_id: str
    source: str
    error: str
    error_type: str
    status_code: int
    body: bytes
    content_type: str | None
    received_at: datetime
    channel: str = "http"
    replay_count: int = 0
    replayed_at: datetime | None = None
    replay_result: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

"""Deliveries: one event to one target (a channel or an outgoing webhook), its attempts, and what the answer of
a receiver means for the next one (retry after a backoff, wait as long as it asked, or give up)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from aisre.notifications.model.events import NotificationEvent


class TargetKind(StrEnum):
    CHANNEL = "channel"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    FAILED = "failed"  # given up: the last answer says why; the job is in the dead-letter queue to replay
    SUPPRESSED = "suppressed"  # throttled into a later message of the group, or the channel's circuit is open


@dataclass(frozen=True)
class SendResult:
    """What a receiver answered one attempt. `detail` is its answer (or the connection's error), cut short."""

    ok: bool
    status_code: int | None = None
    detail: str = ""
    # Seconds the receiver asked to wait before the next attempt (429/503 Retry-After).
    retry_after: float | None = None
    # False when retrying cannot help (a 4xx other than 408/429: a revoked token, a bad routing key).
    retryable: bool = True
    # What a later event of the same conversation needs: Slack's channel and ts, PagerDuty's dedup_key.
    external_ref: str | None = None

    @classmethod
    def from_http(
        cls, status_code: int, body: bytes | str, retry_after: float | None = None, external_ref: str | None = None
    ) -> SendResult:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        ok = 200 <= status_code < 300
        retryable = not ok and (status_code >= 500 or status_code in (408, 425, 429))
        return cls(ok, status_code, text[:500], retry_after, retryable, external_ref if ok else None)

    @classmethod
    def unreachable(cls, error: str) -> SendResult:
        return cls(False, None, error[:500], None, True)

    @classmethod
    def refused(cls, error: str) -> SendResult:
        """Refused before sending (an address the settings forbid, a config that cannot work): never retried."""
        return cls(False, None, error[:500], None, False)


@dataclass(frozen=True)
class DeliveryJob:
    """One event for one target, as the delivery queue carries it."""

    delivery_id: str
    workspace_id: str
    target_kind: TargetKind
    target_id: str
    event: NotificationEvent
    attempt: int = 0

    def next_attempt(self) -> DeliveryJob:
        return replace(self, attempt=self.attempt + 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "workspace_id": self.workspace_id,
            "target_kind": self.target_kind.value,
            "target_id": self.target_id,
            "event": self.event.to_dict(),
            "attempt": self.attempt,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DeliveryJob:
        return cls(
            delivery_id=str(raw["delivery_id"]),
            workspace_id=str(raw["workspace_id"]),
            target_kind=TargetKind(raw["target_kind"]),
            target_id=str(raw["target_id"]),
            event=NotificationEvent.from_dict(raw["event"]),
            attempt=int(raw.get("attempt") or 0),
        )


@dataclass(frozen=True)
class Delivery:
    """The record an operator reads: `GET /incidents/{id}/notifications`, a webhook's deliveries."""

    delivery_id: str
    workspace_id: str
    target_kind: TargetKind
    target_id: str
    target_name: str
    target_type: str  # slack, teams, ... or webhook
    event_type: str
    event_id: str
    incident_id: str | None
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    updated_at: datetime
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None

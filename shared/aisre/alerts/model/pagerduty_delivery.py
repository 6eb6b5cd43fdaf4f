"""What a PagerDuty v3 delivery says about itself: the event's own id and when it occurred, read for replays.

PagerDuty signs the body, not the time, and a captured delivery stays validly signed forever; its X-Webhook-Id
is a header an attacker may change. The event's id and occurred_at are inside the signed body: a delivery is
deduplicated by the id, and refused once it is older than PagerDuty would still be retrying it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aisre.alerts.errors import StaleEventError
from aisre.alerts.model.normalizers._common import parse_time


@dataclass(frozen=True)
class EventEnvelope:
    event_id: str | None
    occurred_at: datetime | None


def read_envelope(payload: Any) -> EventEnvelope:
    """The v3 event's id and occurred_at, when it has them (the older V2 shape and a bare example have not)."""
    event = payload.get("event") if isinstance(payload, Mapping) else None
    if not isinstance(event, Mapping):
        return EventEnvelope(None, None)
    event_id = event.get("id")
    return EventEnvelope(
        event_id=str(event_id) if isinstance(event_id, str | int) and str(event_id).strip() else None,
        occurred_at=parse_time(event.get("occurred_at")),
    )


def check_age(envelope: EventEnvelope, now: datetime, max_age: timedelta) -> None:
    """StaleEventError naming event.occurred_at when the event is older than `max_age`."""
    if envelope.occurred_at is None:
        return
    age = now - envelope.occurred_at
    if age > max_age:
        raise StaleEventError(
            f"event occurred {_readable(age)} ago, more than PAGERDUTY_MAX_EVENT_AGE_SECONDS "
            f"({int(max_age.total_seconds())} s): PagerDuty stops retrying long before, so this is a replay",
            field="event.occurred_at",
        )


def _readable(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"

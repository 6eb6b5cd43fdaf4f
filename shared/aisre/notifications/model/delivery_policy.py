"""What a delivery does next, decided from its attempts and the receiver's answer: deliver, retry after a backoff
(or as long as the receiver asked), wait out an open circuit, wait for the channel's next minute, or give up.
Pure: the worker brings the clock and the counts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from aisre.notifications.model.delivery import SendResult

# SQS delays a message by at most 15 minutes; a longer wait is re-queued again when it comes back.
MAX_DELAY_SECONDS = 900
# Backoff between attempts: 5 s, 15 s, 45 s, ... capped, with jitter from the delivery id (deterministic, so a test
# can predict it, and still spread: deliveries of one storm do not retry in lockstep).
BASE_BACKOFF_SECONDS = 5.0
BACKOFF_FACTOR = 3.0
MAX_BACKOFF_SECONDS = 600.0
# The circuit opens after this many failures in a row of one target, for a cool-down that doubles each time it
# opens again (to CIRCUIT_MAX_OPEN_SECONDS); the first attempt after it is the probe that closes it.
CIRCUIT_FAILURES = 5
CIRCUIT_OPEN_SECONDS = 30.0
CIRCUIT_MAX_OPEN_SECONDS = 600.0
# Later events of a storm's group fold into one update of its first message, sent this long after the first of them.
GROUP_UPDATE_SECONDS = 30


def delivery_id(event_id: str, target_kind: str, target_id: str) -> str:
    """The same event to the same target is one delivery, however often the event is handed over (at-least-once)."""
    digest = hashlib.sha256(f"{event_id}|{target_kind}|{target_id}".encode()).hexdigest()[:20]
    return f"dlv-{digest}"


def backoff_seconds(attempt: int, delivery: str) -> float:
    """The wait before attempt `attempt + 1` (attempt counts from 1), with up to 20% jitter."""
    base = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * BACKOFF_FACTOR ** max(0, attempt - 1))
    jitter = int(hashlib.sha256(f"{delivery}:{attempt}".encode()).hexdigest()[:4], 16) / 0xFFFF
    return round(base * (1 + 0.2 * jitter), 3)


@dataclass(frozen=True)
class Retry:
    delay_seconds: float


@dataclass(frozen=True)
class GiveUp:
    reason: str


def after_failure(result: SendResult, attempt: int, max_attempts: int, delivery: str) -> Retry | GiveUp:
    """A failed attempt's sequel: retry (the receiver's Retry-After when it gave one, else the backoff), or give up
    when retrying cannot help or the attempts are spent."""
    if not result.retryable:
        return GiveUp("the receiver refused it; retrying cannot help")
    if attempt >= max_attempts:
        return GiveUp(f"{attempt} attempts failed")
    wait = backoff_seconds(attempt, delivery)
    if result.retry_after is not None:
        wait = max(0.0, min(result.retry_after, MAX_BACKOFF_SECONDS))
    return Retry(wait)


@dataclass(frozen=True)
class TargetHealth:
    """A target's circuit: failures in a row, and until when it is open (no attempt goes out meanwhile)."""

    failures: int = 0
    open_until: datetime | None = None
    times_opened: int = 0

    def is_open(self, now: datetime) -> bool:
        return self.open_until is not None and now < self.open_until

    def after_success(self) -> TargetHealth:
        return TargetHealth()

    def after_failure(self, now: datetime) -> TargetHealth:
        failures = self.failures + 1
        if failures < CIRCUIT_FAILURES:
            return TargetHealth(failures, self.open_until, self.times_opened)
        seconds = min(CIRCUIT_MAX_OPEN_SECONDS, CIRCUIT_OPEN_SECONDS * 2**self.times_opened)
        # Opened: the next attempt after the cool-down is a probe; one more failure re-opens it at once.
        return TargetHealth(CIRCUIT_FAILURES - 1, now + timedelta(seconds=seconds), self.times_opened + 1)


def minute_bucket(now: datetime) -> str:
    """The per-minute throttle's bucket of a channel."""
    return now.strftime("%Y%m%d%H%M")


def seconds_to_next_minute(now: datetime) -> float:
    return 60.0 - now.second - now.microsecond / 1_000_000


def queue_delay(seconds: float) -> int:
    """A wait as SQS's DelaySeconds: whole seconds, at most its 15 minutes."""
    return max(0, min(MAX_DELAY_SECONDS, int(seconds + 0.999)))

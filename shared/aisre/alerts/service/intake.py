"""AlertIntake: raw bytes from a provider to incidents; what cannot be read is dead-lettered, never dropped."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aisre.alerts.model.dead_letter import DeadLetter
from aisre.alerts.model.normalizers import SOURCES, normalize
from aisre.alerts.model.payload import parse_body
from aisre.alerts.ports import DeadLetterStore
from aisre.core.clock import utc_now
from aisre.core.errors import AisreError, PayloadError, PayloadTooLargeError, ValidationError
from aisre.core.observability import metrics
from aisre.incidents.model.alert import Alert
from aisre.incidents.service.ingest import AlertOutcome, IngestService


@dataclass(frozen=True)
class IntakeResult:
    alerts: list[Alert]
    outcomes: list[AlertOutcome]

    def response(self) -> dict[str, Any]:
        """Seed 001's webhook response: the first alert's outcome, and every alert's when there are several."""
        first = self.outcomes[0] if self.outcomes else None
        body: dict[str, Any] = {
            "ok": True,
            "incident_id": first.incident_id if first else None,
            "deduplicated": first.deduplicated if first else False,
            "dedup_strategy": first.dedup_strategy if first else None,
            "group_id": first.group_id if first else None,
            "alerts_received": len(self.alerts),
        }
        if len(self.outcomes) != 1:
            body["alerts"] = [outcome.public() for outcome in self.outcomes]
        return body


def new_dead_letter_id() -> str:
    return f"dlq-{secrets.token_hex(6)}"


class AlertIntake:
    def __init__(
        self,
        ingest: IngestService,
        dead_letters: DeadLetterStore,
        *,
        dead_letter_retention_days: int,
        max_alerts_per_payload: int = 1000,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._ingest = ingest
        self._dead_letters = dead_letters
        self._retention_days = dead_letter_retention_days
        self._max_alerts = max_alerts_per_payload
        self._clock = clock

    def read_alerts(
        self, source: str, body: bytes, content_type: str | None, *, allow_empty: bool = False
    ) -> list[Alert]:
        """Parse and normalize, raising PayloadError/ValidationError (nothing is stored here). A payload
        with no alerts is refused unless the caller expects some (PagerDuty's pings and notes)."""
        alerts = normalize(source, parse_body(body, content_type))
        if not alerts and not allow_empty:
            raise PayloadError("the payload holds no alerts", field="body")
        if len(alerts) > self._max_alerts:
            raise PayloadTooLargeError(
                f"the payload holds {len(alerts)} alerts, more than {self._max_alerts} (MAX_ALERTS_PER_PAYLOAD):"
                " send them in several requests",
                field="alerts",
            )
        return alerts

    def accept(self, workspace_id: str, source: str, body: bytes, content_type: str | None) -> IntakeResult:
        """Read the alerts and ingest them. A payload that cannot be read is dead-lettered with its error
        before the error is raised, so the caller can answer 4xx knowing the bytes are kept."""
        try:
            alerts = self.read_alerts(source, body, content_type)
        except (PayloadError, ValidationError, PayloadTooLargeError) as error:
            self.dead_letter(workspace_id, source, body, content_type, error, status_code=status_of(error))
            raise
        return self.ingest_alerts(workspace_id, alerts)

    def ingest_alerts(self, workspace_id: str, alerts: Sequence[Alert]) -> IntakeResult:
        outcomes = self._ingest.ingest(workspace_id, alerts)
        for alert, outcome in zip(alerts, outcomes, strict=True):
            metrics.alert_ingested(alert.provider, outcome.action)
        return IntakeResult(alerts=list(alerts), outcomes=outcomes)

    def dead_letter(
        self,
        workspace_id: str,
        source: str,
        body: bytes,
        content_type: str | None,
        error: AisreError | Exception,
        *,
        status_code: int,
        channel: str = "http",
        entry_id: str | None = None,
    ) -> DeadLetter:
        entry = DeadLetter(
            id=entry_id or new_dead_letter_id(),
            workspace_id=workspace_id,
            source=source,
            error=getattr(error, "message", None) or str(error) or type(error).__name__,
            error_type=type(error).__name__,
            status_code=status_code,
            body=body,
            content_type=content_type,
            received_at=self._clock(),
            channel=channel,
        )
        self._dead_letters.put(entry, self._retention_days)
        # A closed label set: a path segment the sender chose must not grow a series of its own.
        metrics.alert_dead_lettered(source if source in SOURCES else "unknown")
        return entry


def status_of(error: AisreError) -> int:
    """The status a refused payload answers with, kept on its dead letter."""
    if isinstance(error, PayloadTooLargeError):
        return 413
    return 422 if isinstance(error, ValidationError) else 400

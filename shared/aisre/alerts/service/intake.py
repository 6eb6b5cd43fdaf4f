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
from aisre.alerts.model.raw_payload import RawPayload
from aisre.alerts.ports import DeadLetterStore, RawPayloadStore
from aisre.core.clock import utc_now
from aisre.core.errors import AisreError, PayloadError, PayloadTooLargeError, ValidationError
from aisre.core.observability import logger, metrics
from aisre.incidents.model.alert import Alert
from aisre.incidents.model.alert_bounds import bound_alert
from aisre.incidents.service.ingest import AlertOutcome, IngestService


@dataclass(frozen=True)
class Received:
    """A payload as it arrived: what an alert cut to fit its incident points back to."""

    source: str
    body: bytes
    content_type: str | None


@dataclass(frozen=True)
class IntakeResult:
    alerts: list[Alert]
    outcomes: list[AlertOutcome]

    @property
    def truncated(self) -> bool:
        return any(alert.truncated_fields for alert in self.alerts)

    def response(self) -> dict[str, Any]:
        """Seed 001's webhook response: the first alert's outcome, and every alert's when there are several;
        `truncated` (only then) when an alert's fields were cut to fit (the payload is kept as received)."""
        first = self.outcomes[0] if self.outcomes else None
        body: dict[str, Any] = {
            "ok": True,
            "incident_id": first.incident_id if first else None,
            "deduplicated": first.deduplicated if first else False,
            "dedup_strategy": first.dedup_strategy if first else None,
            "group_id": first.group_id if first else None,
            "alerts_received": len(self.alerts),
        }
        truncated = [bool(alert.truncated_fields) for alert in self.alerts]
        if any(truncated):
            body["truncated"] = True
        if len(self.outcomes) != 1:
            body["alerts"] = [
                outcome.public() | ({"truncated": True} if cut else {})
                for outcome, cut in zip(self.outcomes, truncated, strict=True)
            ]
        return body


def new_dead_letter_id() -> str:
    return f"dlq-{secrets.token_hex(6)}"


def new_raw_payload_id() -> str:
    return f"raw-{secrets.token_hex(8)}"


class AlertIntake:
    def __init__(
        self,
        ingest: IngestService,
        dead_letters: DeadLetterStore,
        *,
        raw_payloads: RawPayloadStore | None = None,
        dead_letter_retention_days: int,
        max_alerts_per_payload: int = 1000,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._ingest = ingest
        self._dead_letters = dead_letters
        self._raw_payloads = raw_payloads
        self._retention_days = dead_letter_retention_days
        self._max_alerts = max_alerts_per_payload
        self._clock = clock

    @property
    def max_alerts_per_payload(self) -> int:
        return self._max_alerts

    def read_alerts(
        self, source: str, body: bytes, content_type: str | None, *, allow_empty: bool = False, capped: bool = True
    ) -> list[Alert]:
        """Parse and normalize, raising PayloadError/ValidationError (nothing is stored here). A payload
        with no alerts is refused unless the caller expects some (PagerDuty's pings and notes); one with more
        than MAX_ALERTS_PER_PAYLOAD unless `capped` is off (an operator's replay, which goes in chunks)."""
        payload = parse_body(body, content_type)
        alerts = normalize(source, payload)
        _note_what_the_sender_cut(source, payload)
        if not alerts and not allow_empty:
            raise PayloadError("the payload holds no alerts", field="body")
        if capped and len(alerts) > self._max_alerts:
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
        return self.ingest_alerts(workspace_id, alerts, Received(source, body, content_type))

    def ingest_alerts(
        self,
        workspace_id: str,
        alerts: Sequence[Alert],
        received: Received | None = None,
        *,
        chunk_size: int | None = None,
    ) -> IntakeResult:
        """Ingest the alerts read from `received`, `chunk_size` at a time when given (a replay of a payload
        over the cap goes in chunks of the cap). An alert too big for an incident is cut to fit (incidents'
        alert_bounds); the payload is then kept as received first, once, so the incident can point to it
        from the moment it exists, and the 2xx means the whole of it is stored."""
        bounded = [bound_alert(alert) for alert in alerts]
        if received is not None and self._raw_payloads is not None and any(a.truncated_fields for a in bounded):
            payload_id = self._keep_raw(workspace_id, received)
            bounded = [
                alert.model_copy(update={"raw_payload_id": payload_id}) if alert.truncated_fields else alert
                for alert in bounded
            ]
        size = chunk_size or max(1, len(bounded))
        outcomes: list[AlertOutcome] = []
        for start in range(0, len(bounded), size):
            outcomes += self._ingest.ingest(workspace_id, bounded[start : start + size])
        for alert, outcome in zip(bounded, outcomes, strict=True):
            metrics.alert_ingested(alert.provider, outcome.action)
        return IntakeResult(alerts=bounded, outcomes=outcomes)

    def _keep_raw(self, workspace_id: str, received: Received) -> str:
        assert self._raw_payloads is not None
        payload = RawPayload(
            id=new_raw_payload_id(),
            workspace_id=workspace_id,
            source=received.source,
            body=received.body,
            content_type=received.content_type,
            received_at=self._clock(),
        )
        self._raw_payloads.put(payload)
        return payload.id

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


def _note_what_the_sender_cut(source: str, payload: Any) -> None:
    """Alertmanager's `max_alerts` sends the first N alerts of a bigger group and counts the rest in
    `truncatedAlerts`: those never arrive, so say so where an operator looks (see the README's Alertmanager
    setup for why `max_alerts` pairs with MAX_ALERTS_PER_PAYLOAD)."""
    if source not in {"alertmanager", "prometheus"} or not isinstance(payload, dict):
        return
    cut = payload.get("truncatedAlerts")
    if isinstance(cut, int) and not isinstance(cut, bool) and cut > 0:
        logger.warning(
            "alertmanager left %d alerts of group %s out of this notification (max_alerts): they were not sent",
            cut,
            str(payload.get("groupKey", "?"))[:200],
        )


def status_of(error: AisreError) -> int:
    """The status a refused payload answers with, kept on its dead letter."""
    if isinstance(error, PayloadTooLargeError):
        return 413
    return 422 if isinstance(error, ValidationError) else 400

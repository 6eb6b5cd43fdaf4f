"""The interfaces the alerts services need; alerts/store and alerts/adapters implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from aisre.alerts.model.dead_letter import DeadLetter
from aisre.alerts.model.raw_payload import RawPayload
from aisre.alerts.model.sns_messages import SnsMessage


class DeadLetterStore(Protocol):
    def put(self, entry: DeadLetter, retention_days: int) -> None: ...

    def list_entries(self, workspace_id: str | None, limit: int) -> list[DeadLetter]: ...

    def get(self, workspace_id: str | None, entry_id: str) -> DeadLetter: ...

    def mark_replayed(self, entry: DeadLetter, at: datetime, result: dict[str, Any]) -> None: ...


class SnsEndpoint(Protocol):
    """Amazon SNS as an HTTP(S) subscriber meets it: signed deliveries and a link to confirm."""

    def verify(self, message: SnsMessage) -> None: ...

    def confirm(self, message: SnsMessage) -> str | None: ...


class ReceiptStore(Protocol):
    """Responses to provider deliveries by delivery id, so a redelivery is answered, not reprocessed."""

    def get(self, workspace_id: str, provider: str, delivery_id: str) -> dict[str, Any] | None: ...

    def put(
        self, workspace_id: str, provider: str, delivery_id: str, response: dict[str, Any], retention_days: int
    ) -> None: ...


class RawPayloadStore(Protocol):
    """Payloads kept whole for the incidents whose alerts were cut to fit (as long as the incidents)."""

    def put(self, payload: RawPayload) -> None: ...

    def get(self, workspace_id: str, payload_id: str) -> RawPayload:
        """The payload (NotFoundError naming payload_id when this workspace has none by that id)."""

"""Outgoing webhooks (seed 002 /api/v1/webhooks): a URL subscribed to event types, deliveries signed following
the Standard Webhooks specification with the webhook's own secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OutgoingWebhook:
    id: str
    workspace_id: str
    url: str
    # The event names it receives (WEBHOOK_EVENT_NAMES' values: incident.created, ...); "*" for every one.
    events: tuple[str, ...]
    # `whsec_` + base64 of the key, as the Standard Webhooks libraries take it. Shown once, at creation.
    secret: str
    enabled: bool = True
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None

    def wants(self, event_name: str) -> bool:
        return self.enabled and ("*" in self.events or event_name in self.events)

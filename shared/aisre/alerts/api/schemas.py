"""Response models of the webhooks and the dead-letter store: what those routes send, as it is sent."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from aisre.core.timestamps import UtcDatetime

# A raw webhook body: any JSON object (each provider has its own shape; the normalizer reads it).
WEBHOOK_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "object", "additionalProperties": True, "description": "The provider's own payload"},
            "example": {
                "version": "4",
                "status": "firing",
                "receiver": "aisre",
                "alerts": [
                    {
                        "status": "firing",
                        "labels": {"alertname": "KubePodCrashLooping", "severity": "critical", "namespace": "shop"},
                        "annotations": {"summary": "Pod shop/checkout-7d9f is crash looping"},
                        "startsAt": "2026-01-01T00:00:00Z",
                        "fingerprint": "3f1c2a9b8d7e6f50",
                    }
                ],
            },
        }
    },
}

ENQUEUE_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": True,
                "description": "A PagerDuty Events API v2 event",
            },
            "example": {
                "routing_key": "R0123456789ABCDEF0123456789ABCDE",
                "event_action": "trigger",
                "dedup_key": "checkout-5xx",
                "payload": {"summary": "checkout 5xx above 5%", "source": "prometheus", "severity": "critical"},
            },
        }
    },
}


class AlertOutcomePublic(BaseModel):
    incident_id: str | None
    deduplicated: bool
    dedup_strategy: str | None
    group_id: str | None
    action: str = Field(description="created | deduplicated | resolved | no_open_incident")
    fingerprint: str
    truncated: bool | None = Field(None, description="true when fields of this alert were cut to fit its incident")


class SnsSubscriptionPublic(BaseModel):
    type: str = Field(description="The SNS message type: SubscriptionConfirmation, UnsubscribeConfirmation")
    topic_arn: str | None
    subscription: str = Field(description="confirmed | pending | unsubscribed")
    subscription_arn: str | None = None
    subscribe_url: str | None = None


class WebhookResponse(BaseModel):
    """What happened to the alert(s): the first alert's outcome, and each alert's when there are several.
    PagerDuty v3 deliveries add what the sync did; an SNS subscription message adds `sns`."""

    ok: bool
    incident_id: str | None
    deduplicated: bool
    dedup_strategy: str | None = Field(description="provider_fingerprint, identity, webhook_id... or null")
    group_id: str | None
    alerts_received: int | None = None
    truncated: bool | None = Field(
        None,
        description="true when an alert's fields were cut to fit its incident; the payload is kept as received "
        "(GET /incidents/{incident_id}/alerts/raw)",
    )
    alerts: list[AlertOutcomePublic] | None = Field(None, description="Every alert's outcome, when not exactly one")
    sns: SnsSubscriptionPublic | None = None
    event_type: str | None = Field(None, description="PagerDuty: the v3 event type")
    pd_incident_id: str | None = Field(None, description="PagerDuty: its incident id")
    local_incident_id: str | None = Field(None, description="PagerDuty: the incident here")
    action_taken: str | None = Field(
        None, description="PagerDuty: created, updated, acknowledged, resolved, ignored..."
    )
    redelivery: bool | None = Field(None, description="PagerDuty: answered from the receipt of this X-Webhook-Id")


class EnqueueResponse(BaseModel):
    status: str = Field(description="success")
    message: str
    dedup_key: str
    incident_id: str | None


class PagerDutyEventError(BaseModel):
    """PagerDuty's own 400 body, so its clients read it as they would PagerDuty's."""

    status: str = Field(description="invalid event")
    message: str
    errors: list[str]


class DeadLetterPublic(BaseModel):
    id: str
    workspace_id: str
    source: str
    error: str
    error_type: str
    status_code: int
    channel: str
    payload: Any = Field(description="The body as received: parsed JSON, or the text when it was not JSON")
    content_type: str | None
    size_bytes: int
    timestamp: UtcDatetime
    replay_count: int
    replayed_at: UtcDatetime | None
    replay_result: dict[str, Any] | None


class DeadLetterList(BaseModel):
    entries: list[DeadLetterPublic]
    count: int


class ReplayResponse(BaseModel):
    replayed: bool
    entry_id: str
    workspace_id: str
    result: WebhookResponse

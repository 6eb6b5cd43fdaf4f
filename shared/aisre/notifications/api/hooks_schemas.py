"""Request and response models of /api/v1/webhooks and /api/v1/triggers (seed 002), as sent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime

DELIVERY_STATUS = Literal["queued", "delivered", "retrying", "failed", "suppressed"]

# -- outgoing webhooks ------------------------------------------------------------------------------------------


class WebhookCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "url": "https://hooks.example.com/aisre",
                "events": ["incident.created", "incident.resolved"],
                "description": "Our incident bridge",
            }
        }
    )

    url: str = Field(
        max_length=2048,
        description="https (http only with OUTBOUND_ALLOW_PRIVATE_NETWORKS); a host resolving to a loopback, "
        "link-local, metadata or private address is refused unless that setting allows it",
    )
    events: list[str] = Field(
        min_length=1,
        max_length=20,
        description="incident.created, incident.updated, incident.resolved, investigation.completed, "
        "approval.requested, slo.burn, notification.test; or * for every one",
    )
    secret: str | None = Field(
        None,
        max_length=200,
        description="`whsec_` + base64 of a 24-64 byte key (Standard Webhooks); generated when left out",
    )
    description: str | None = Field(None, max_length=500)
    enabled: bool = True


class WebhookUpdate(BaseModel):
    """Every field optional: the ones sent change, the others stay. A new `secret` is not shown back."""

    url: str | None = Field(None, max_length=2048)
    events: list[str] | None = Field(None, min_length=1, max_length=20)
    secret: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None


class WebhookPublic(BaseModel):
    id: str
    workspace_id: str
    url: str
    events: list[str]
    enabled: bool
    description: str | None = None
    secret_hint: str = Field(description="The secret's last characters: it is shown whole only when created")
    created_by: str | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    version: int


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="The signing secret, shown this once: verify deliveries with it")


class WebhookList(BaseModel):
    webhooks: list[WebhookPublic]
    count: int


class WebhookDeleted(BaseModel):
    id: str
    deleted: bool


class DeliveryPublic(BaseModel):
    id: str
    target_kind: Literal["channel", "webhook"]
    target_id: str
    target_name: str
    target_type: str
    event_type: str
    event_id: str
    incident_id: str | None = None
    status: DELIVERY_STATUS
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    next_attempt_at: UtcDatetime | None = None


class DeliveryList(BaseModel):
    webhook_id: str
    deliveries: list[DeliveryPublic]
    count: int


class WebhookTestResult(BaseModel):
    webhook_id: str
    delivery_id: str = Field(description="Sent as the `webhook-id` header: the receiver's idempotency key")
    event_type: str
    ok: bool = Field(description="The receiver answered 2xx")
    status: DELIVERY_STATUS
    status_code: int | None = Field(None, description="The receiver's HTTP status; none when it was not reached")
    response: str = Field("", description="The start of the receiver's answer, or why it was not reached")


# -- triggers ---------------------------------------------------------------------------------------------------


class TriggerCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Investigate critical checkout incidents",
                "type": "incident.opened",
                "config": {"severity": ["critical"], "service": "checkout-api"},
                "action": {"type": "investigate"},
            }
        }
    )

    name: str = Field(min_length=1, max_length=200)
    type: str = Field(
        max_length=64,
        description="The event it listens to: incident.opened, incident.resolved... (or the webhooks' names: "
        "incident.created...), or * for every event but tests",
    )
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="Conditions, each optional: severity (a list), service (a name or a list), labels (an object)",
    )
    action: dict[str, Any] = Field(
        description='{"type": "notify", "channel_id"}, {"type": "investigate"}, or {"type": "run_workflow", '
        '"workflow_id", "dry_run": true, "context": {...}}'
    )
    enabled: bool = True
    description: str | None = Field(None, max_length=500)


class TriggerUpdate(BaseModel):
    """Every field optional: the ones sent change (config and action whole), the others stay."""

    name: str | None = Field(None, min_length=1, max_length=200)
    type: str | None = Field(None, max_length=64)
    config: dict[str, Any] | None = None
    action: dict[str, Any] | None = None
    enabled: bool | None = None
    description: str | None = Field(None, max_length=500)


class TriggerToggle(BaseModel):
    enabled: bool | None = Field(None, description="Set it; left out, the trigger flips")


class TriggerPublic(BaseModel):
    id: str
    workspace_id: str
    name: str
    type: str
    config: dict[str, Any]
    action: dict[str, Any]
    enabled: bool
    description: str | None = None
    created_by: str | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    version: int


class TriggerList(BaseModel):
    triggers: list[TriggerPublic]
    count: int


class TriggerDeleted(BaseModel):
    id: str
    deleted: bool


class TriggerRunPublic(BaseModel):
    id: str
    at: UtcDatetime
    event_id: str
    event_type: str
    incident_id: str | None = None
    action: dict[str, Any]
    outcome: Literal["succeeded", "failed"]
    detail: str = ""
    error: str | None = None
    reference: str | None = Field(None, description="What the action made: a delivery id, an incident, a run id")


class TriggerHistory(BaseModel):
    trigger_id: str
    runs: list[TriggerRunPublic]
    count: int

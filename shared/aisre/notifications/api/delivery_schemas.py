"""Response models of the deliveries' routes (api/deliveries.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class DeliveryPublic(BaseModel):
    id: str
    incident_id: str | None
    event: str = Field(description="incident.opened, incident.escalated, investigation.completed, ...")
    event_id: str
    target_kind: str = Field(description="channel or webhook")
    target_id: str
    channel: str = Field(description="The channel's name, or the webhook's URL")
    channel_type: str = Field(description="slack, teams, email, pagerduty, opsgenie, telegram, webhook")
    status: str = Field(description="queued, delivered, retrying, failed")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime


class IncidentNotifications(BaseModel):
    incident_id: str
    group_id: str | None
    notifications: list[DeliveryPublic]
    count: int


class DeliveryList(BaseModel):
    deliveries: list[DeliveryPublic]
    count: int


class TestChannelResult(BaseModel):
    channel_id: str
    name: str
    type: str
    delivered: bool
    status_code: int | None
    error: str | None


class TestNotificationResult(BaseModel):
    sent: bool = Field(description="Whether at least one channel took it")
    severity: str
    service: str | None
    message: str
    channels: list[TestChannelResult] = Field(description="Every channel the routing reached, and its answer")
    oncall: list[str] = Field(description="Who is on call for the service now (its escalation policy's first level)")

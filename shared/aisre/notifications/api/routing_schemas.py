"""Request and response models of the channels, rules and in-app notifications (seed 002 /api/v1/notifications)
and of the routing table (seed 001 GET /notifications/routes), as sent."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime

CHANNEL_TYPES = "slack, teams, email, pagerduty, opsgenie or telegram"

# -- channels ---------------------------------------------------------------------------------------------------


class ChannelCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "name": "ops-slack",
                "type": "slack",
                "config": {"webhook_url": "https://hooks.slack.com/services/T000/B000/XXXX"},
                "enabled": True,
            }
        },
    )

    name: str = Field(min_length=1, max_length=100, description="Unique in the workspace, whatever its case")
    type: str = Field(description=f"One of {CHANNEL_TYPES}")
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="The type's keys: slack webhook_url (or bot_token and channel), teams webhook_url, email to (a "
        "list), pagerduty routing_key (events_url), opsgenie api_key (api_url), telegram bot_token and chat_id "
        "(api_url). Secret values are kept in the secrets store and come back masked.",
    )
    enabled: bool = True


class ChannelUpdate(BaseModel):
    """What changes; what is left out stays. A `config` replaces the config whole, except that a secret sent back
    masked (as a read shows it) keeps its stored value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    type: str | None = Field(None, description=f"One of {CHANNEL_TYPES}; another type needs its config")
    config: dict[str, Any] | None = None
    enabled: bool | None = None


class ChannelPublic(BaseModel):
    id: str
    name: str
    type: str
    config: dict[str, Any] = Field(description="Secret values masked (`********`; a URL keeps its scheme and host)")
    secret_keys: list[str] = Field(description="The config keys whose values are kept in the secrets store")
    enabled: bool
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    created_by: str | None = None
    version: int


class ChannelList(BaseModel):
    channels: list[ChannelPublic]
    count: int


class ChannelDeleted(BaseModel):
    id: str
    deleted: bool


# -- rules ------------------------------------------------------------------------------------------------------


class RuleMatchBody(BaseModel):
    """Every part given must match; an empty part matches everything. A value written `~regex` is a regular
    expression the whole value must match (as Alertmanager's `=~`); any other value matches exactly."""

    model_config = ConfigDict(extra="forbid")

    severity: list[str] = Field(default_factory=list, description="Any of critical, high, warning, info")
    service: str | None = Field(None, description="The incident's service, exactly or `~regex`")
    labels: dict[str, str] = Field(default_factory=dict, description="Label name -> value or `~regex`")


class RuleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "example": {
                "name": "payments-critical",
                "match": {"severity": ["critical"], "service": "payments", "labels": {"team": "~pay.*"}},
                "channels": ["ch-0123456789abcdef"],
                "continue": False,
                "enabled": True,
            }
        },
    )

    name: str = Field(min_length=1, max_length=100, description="Unique in the workspace")
    match: RuleMatchBody = Field(default_factory=RuleMatchBody)
    channels: list[str] = Field(
        default_factory=list, max_length=20, description="Channel ids of the workspace; none: matched events are logged"
    )
    continue_: bool = Field(False, alias="continue", description="Go on to the next rules after this one matched")
    enabled: bool = True
    position: int | None = Field(None, ge=0, le=1000, description="Place in the list (0 first); default: last")


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = Field(None, min_length=1, max_length=100)
    match: RuleMatchBody | None = None
    channels: list[str] | None = Field(None, max_length=20)
    continue_: bool | None = Field(None, alias="continue")
    enabled: bool | None = None
    position: int | None = Field(None, ge=0, le=1000, description="Move it to this place in the list (0 first)")


class RulePublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    match: RuleMatchBody
    channels: list[str]
    continue_: bool = Field(alias="continue")
    enabled: bool
    position: int = Field(description="Its place in the order rules are evaluated in (0 first)")
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    created_by: str | None = None


class RuleList(BaseModel):
    rules: list[RulePublic]
    count: int


class RuleDeleted(BaseModel):
    id: str
    deleted: bool


# -- the routing table (seed 001) -------------------------------------------------------------------------------


class RouteRule(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    source: str = Field(description="`api`: the workspace's (channels by id); `file`: the routes file's (by name)")
    match: RuleMatchBody
    channels: list[str]
    continue_: bool = Field(alias="continue")
    enabled: bool
    position: int


class RoutesPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "default_rules": {
                    "critical": ["slack", "pagerduty", "email"],
                    "high": ["slack", "email"],
                    "warning": ["slack"],
                    "info": ["log"],
                },
                "service_overrides": {"payments": {"critical": ["slack", "pagerduty", "email", "teams"]}},
                "registered_adapters": ["email", "opsgenie", "pagerduty", "slack", "teams", "telegram", "webhook"],
                "rules": [],
                "channels": {"slack": ["ch-0123456789abcdef"]},
            }
        }
    )

    default_rules: dict[str, list[str]] = Field(description="Severity -> channel types when no rule matches; log: none")
    service_overrides: dict[str, dict[str, list[str]]]
    registered_adapters: list[str] = Field(description="What the platform can send to")
    rules: list[RouteRule] = Field(description="The workspace's rules in order, then the routes file's")
    channels: dict[str, list[str]] = Field(description="The workspace's enabled channels' ids per type")


# -- in-app notifications ---------------------------------------------------------------------------------------


class NotificationPublic(BaseModel):
    id: str
    event_type: str = Field(description="incident.opened, incident.escalated, approval.requested, ...")
    title: str
    message: str | None = None
    severity: str
    service: str | None = None
    incident_id: str | None = None
    link: str | None = None
    read: bool
    read_at: UtcDatetime | None = None
    created_at: UtcDatetime


class NotificationList(BaseModel):
    notifications: list[NotificationPublic] = Field(description="The caller's, newest first")
    count: int
    limit: int
    offset: int
    has_more: bool


class UnreadCount(BaseModel):
    unread_count: int = Field(description="Exact up to 1000; past it, 1000")


class AllRead(BaseModel):
    marked_read: int = Field(description="How many were unread")
    unread_count: int

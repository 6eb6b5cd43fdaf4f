"""Response models of the insights' routes: what they send, as it is sent."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime


class ConfiguredAdapters(BaseModel):
    log_backends: list[str]
    metrics_backends: list[str]
    notification_channels: list[str] = Field(description="The channel types the workspace has set up")
    cluster: bool = Field(description="A Kubernetes cluster is configured for investigations' reads")
    llm: bool = Field(description="An OpenAI-compatible chat model is configured (else the deterministic analyzer)")


class AdapterList(BaseModel):
    alert_sources: list[str] = Field(description="Sources /webhook/{source} reads (the alerts' normalizers)")
    log_backends: list[str]
    action_providers: list[str]
    action_names: list[str] = Field(description="The remediation action catalog")
    notification_channels: list[str] = Field(description="Channel types, and outgoing webhooks")
    metrics_backends: list[str]
    configured: ConfiguredAdapters


class Durations(BaseModel):
    count: int
    mean_minutes: float | None
    median_minutes: float | None
    p90_minutes: float | None
    max_minutes: float | None


class PilotMetrics(BaseModel):
    workspace_id: str | None = Field(description="None: every workspace the key sees")
    days: int
    since: UtcDatetime
    until: UtcDatetime
    incidents: int
    alerts_received: int = Field(description="Alerts folded into the window's incidents (their alert_count)")
    compression_ratio: float | None = Field(description="alerts_received / incidents")
    mtta: Durations = Field(description="created -> acknowledged, over the acknowledged incidents")
    mttr: Durations = Field(description="created -> resolved, over the resolved incidents")
    incidents_by_service: dict[str, int]
    incidents_by_severity: dict[str, int]
    incidents_by_state: dict[str, int]
    resolved: int
    resolved_by_alert: int
    resolved_by_person: int
    auto_resolved_share: float | None = Field(description="resolved_by_alert / resolved")
    truncated: bool = Field(description="More incidents than the cap were created in the window; the oldest unread")


class HealthCheck(BaseModel):
    model_config = ConfigDict(extra="allow")  # each probe adds its own figures

    status: str = Field(description="ok | not_configured | degraded | error")


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when a check failed")
    checks: dict[str, HealthCheck]


class IncidentCounts(BaseModel):
    total: int
    by_state: dict[str, int]
    by_severity: dict[str, int]
    truncated: bool


class ActiveIncidents(BaseModel):
    open: int
    acknowledged: int
    truncated: bool


class Approvals(BaseModel):
    pending: int
    truncated: bool


class IntegrationsPublic(BaseModel):
    workspace_id: str
    channels: int
    channel_types: list[str]
    routing_rules: int
    outgoing_webhooks: int
    escalation_policies: int
    oncall_schedules: int
    truncated: bool


class ActivityItem(BaseModel):
    incident_id: str
    action: str
    outcome: str
    actor: str
    dry_run: bool
    created_at: UtcDatetime


class PlatformOverview(BaseModel):
    workspace_id: str | None
    days: int
    since: UtcDatetime
    until: UtcDatetime
    incidents: IncidentCounts = Field(description="Incidents created in the window")
    active: ActiveIncidents = Field(description="Incidents open or acknowledged now, however old")
    approvals: Approvals
    health: Health
    integrations: IntegrationsPublic
    recent_activity: list[ActivityItem]


class TaskCounts(BaseModel):
    total: int
    by_status: dict[str, int]
    completed: int
    completion_rate: float | None


class AnalyticsOverview(BaseModel):
    workspace_id: str | None
    days: int
    since: UtcDatetime
    until: UtcDatetime
    tasks: TaskCounts = Field(description="Tasks are incidents: status open | acknowledged | resolved (completed)")
    alerts_received: int
    compression_ratio: float | None
    mtta_minutes: float | None
    mttr_minutes: float | None
    auto_resolved_share: float | None
    by_severity: dict[str, int]
    by_service: dict[str, int]
    truncated: bool


class TimelinePoint(BaseModel):
    date: str = Field(description="A calendar day in UTC, YYYY-MM-DD")
    created: int
    resolved: int


class TaskTimeline(BaseModel):
    workspace_id: str | None
    days: int
    since: UtcDatetime
    until: UtcDatetime
    total: int
    timeline: list[TimelinePoint]
    truncated: bool

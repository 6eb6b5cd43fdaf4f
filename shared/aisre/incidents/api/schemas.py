"""Request and response models of the incidents and deploys routes: what those routes send, as it is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime
from aisre.incidents.model.alert import Severity
from aisre.incidents.model.incident import DeployCorrelation, IncidentState

# -- deploys ----------------------------------------------------------------------------------------


class DeployCreate(BaseModel):
    service: str = Field(min_length=1, max_length=200)
    namespace: str | None = Field(None, max_length=200)
    environment: str | None = Field(None, max_length=100)
    image: str | None = Field(None, max_length=500)
    version: str | None = Field(None, max_length=200)
    actor: str | None = Field(None, max_length=200)
    commit_sha: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=2000)
    timestamp: datetime | None = Field(None, description="When the deploy finished; now if omitted")
    deploy_id: str | None = Field(None, pattern=r"^[A-Za-z0-9._:-]{1,100}$")


class DeployPublic(BaseModel):
    deploy_id: str
    workspace_id: str
    service: str
    namespace: str | None
    environment: str | None
    image: str | None
    version: str | None
    actor: str | None
    commit_sha: str | None
    description: str | None
    timestamp: UtcDatetime


class DeployRecorded(BaseModel):
    ok: bool
    deploy_id: str
    stored: DeployPublic


class DeployList(BaseModel):
    deploys: list[DeployPublic]
    count: int


# -- incidents --------------------------------------------------------------------------------------


class IncidentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str
    severity: str
    source: str
    provider: str
    state: IncidentState
    service: str | None
    namespace: str | None
    pod: str | None
    deployment: str | None
    created_at: UtcDatetime
    acknowledged_at: UtcDatetime | None
    resolved_at: UtcDatetime | None
    workspace_id: str
    group_id: str | None
    correlation_reason: str | None
    alert_count: int
    last_alert_at: UtcDatetime | None
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    links: list[str]
    deploy_correlation: DeployCorrelation | None
    truncated: bool = Field(
        False,
        description="Fields of the alert were cut to fit; the payload as received is at /incidents/{id}/alerts/raw",
    )
    truncated_fields: list[str] = Field(default_factory=list, description="Which: title, description, labels.<name>...")


class IncidentTransition(BaseModel):
    note: str | None = Field(None, max_length=2000, description="Why; shown on the timeline")
    actor: str | None = Field(None, max_length=200, description="Who; defaults to the API key's id")


class IncidentList(BaseModel):
    incidents: list[IncidentPublic]
    count: int
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last")


class NoisyIncident(BaseModel):
    id: str
    title: str
    severity: Severity
    state: IncidentState
    service: str | None
    created_at: UtcDatetime
    resolved_at: UtcDatetime | None
    duration_minutes: float | None
    alert_count: int


class NoisyIncidents(BaseModel):
    noisy_incidents: list[NoisyIncident]
    count: int
    max_duration_minutes: float
    note: str


class IncidentMetricsSummary(BaseModel):
    time_to_first_response_minutes: float | None
    resolution_time_minutes: float | None
    actions_taken: int
    alert_count: int


class ActionPublic(BaseModel):
    incident_id: str
    action: str
    outcome: str
    actor: str
    dry_run: bool
    namespace: str | None
    details: dict[str, Any]
    created_at: UtcDatetime


class IncidentDetail(BaseModel):
    incident: IncidentPublic
    metrics: IncidentMetricsSummary
    actions: list[ActionPublic]


class TimelineEventPublic(BaseModel):
    event_type: str
    actor: str
    payload: dict[str, Any]
    created_at: UtcDatetime


class IncidentTimeline(BaseModel):
    incident_id: str
    events: list[TimelineEventPublic]
    count: int
    next_cursor: str | None


class MetricPoint(BaseModel):
    metric_name: str
    value: float | None
    created_at: UtcDatetime


class IncidentMetrics(BaseModel):
    incident_id: str
    summary: IncidentMetricsSummary
    timeline: list[MetricPoint]


class IncidentActions(BaseModel):
    incident_id: str
    actions: list[ActionPublic]
    count: int


class GroupChild(BaseModel):
    incident_id: str
    correlation_reason: str | None
    created_at: UtcDatetime


class IncidentGroup(BaseModel):
    incident_id: str
    parent_id: str | None
    correlation_reason: str | None
    children: list[GroupChild]
    is_parent: bool


class DeployCorrelationResponse(BaseModel):
    incident_id: str
    has_correlation: bool
    correlated_deploy: DeployCorrelation | None
    lookback_minutes: int
    message: str


class IncidentTransitioned(BaseModel):
    ok: bool
    incident: IncidentPublic


class ActivityList(BaseModel):
    activity: list[ActionPublic]
    count: int

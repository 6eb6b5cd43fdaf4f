"""Response model of POST /demo/seed: what the seed made, as it is sent."""

from __future__ import annotations

from pydantic import BaseModel, Field

from aisre.core.timestamps import UtcDatetime


class SeededIncidentPublic(BaseModel):
    id: str
    title: str
    service: str | None
    severity: str
    root: bool = Field(description="The root of its group (investigated); else grouped under `group_id`")
    group_id: str | None = None
    alerts: int = Field(description="The story's alerts that opened it or were folded into it")


class SkippedPartPublic(BaseModel):
    part: str
    reason: str


class DemoSeedPublic(BaseModel):
    workspace_id: str
    created: bool = Field(description="True when this request made the seed (201); false: made before (200)")
    seeded_at: UtcDatetime
    main_incident_id: str = Field(description="checkout's crash loop: the story's incident, with the approval")
    incidents: list[SeededIncidentPublic] = Field(description="The incidents the storm became, in the order opened")
    alerts_sent: int = Field(description="Alerts of the storm, sent through the intake as Alertmanager sends them")
    incident_count: int = Field(description="Incidents they became (dedup and correlation compress them)")
    deploy_id: str
    investigation_ids: list[str] = Field(description="The roots' investigations")
    diagnosed_incident_ids: list[str] = Field(
        description="Roots whose diagnosis had finished when the seed answered (the others' follow shortly)"
    )
    approval_id: str | None = Field(description="The approval waiting for the main incident's action")
    approval_action: str | None
    resolved_incident_id: str = Field(description="The earlier incident, resolved with how it was fixed")
    dead_letter_id: str = Field(description="The unreadable payload, kept with its error")
    replayable_dead_letter_id: str | None = Field(
        None, description="A readable delivery the queue gave up on while the table throttled: replaying it ingests it"
    )
    oncall_schedule_id: str | None
    escalation_policy_id: str | None = Field(description="checkout's escalation policy")
    skipped: list[SkippedPartPublic] = Field(description="Parts of the story this version cannot tell, and why")

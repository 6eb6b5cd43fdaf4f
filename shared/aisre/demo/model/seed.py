"""What a seed made, as the marker keeps it and the route answers it: ids, titles, counts, the parts left out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

# Parts of the story the platform cannot tell yet, and why: the answer says so rather than invent a store.
SKIPPED_PARTS: tuple[tuple[str, str], ...] = (("slo", "SLOs are not configured in this version"),)


class SeededIncident(BaseModel):
    id: str
    title: str
    service: str | None
    severity: str
    root: bool = Field(description="A group's root (investigated); else grouped under `group_id`")
    group_id: str | None = None
    alerts: int = Field(description="The story's alerts that opened or folded into it")


class SkippedPart(BaseModel):
    part: str
    reason: str


class SeedResult(BaseModel):
    workspace_id: str
    created: bool
    seeded_at: datetime
    main_incident_id: str
    incidents: list[SeededIncident]
    alerts_sent: int
    incident_count: int
    deploy_id: str
    investigation_ids: list[str]
    diagnosed_incident_ids: list[str] = Field(default_factory=list)
    approval_id: str | None = None
    approval_action: str | None = None
    resolved_incident_id: str
    dead_letter_id: str = Field(description="An unreadable payload, kept with the field it lacks")
    replayable_dead_letter_id: str | None = Field(
        None, description="A readable delivery the queue gave up on while the table throttled: replaying it ingests it"
    )
    oncall_schedule_id: str | None = None
    escalation_policy_id: str | None = None
    skipped: list[SkippedPart] = Field(default_factory=list)

    def as_stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class SeedMarker(BaseModel):
    """The workspace's one marker: `seeding` while a request tells the story (until `lease_until`), then `seeded`
    with what it made."""

    workspace_id: str
    status: str  # seeding | seeded
    claimed_at: datetime
    lease_until: datetime
    result: SeedResult | None = None

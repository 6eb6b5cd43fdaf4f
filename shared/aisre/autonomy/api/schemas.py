"""Response models of /autonomy: what those routes send, as sent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime

ModeName = Literal["dry_run", "approval", "execute"]


class AutonomyStatus(BaseModel):
    """Seed 001's fields, from the settings (AUTONOMY_*); `principal` is who its actions are recorded as."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "enabled": False,
                "approval_required": True,
                "default_dry_run": True,
                "poll_interval_seconds": 60,
                "max_incidents_per_cycle": 20,
                "autonomous_actions": ["restart_pod"],
                "allowed_namespaces": [],
                "deployment_profile": "aws",
                "principal": "autonomy",
                "mode": "dry_run",
            }
        }
    )

    enabled: bool = Field(description="AUTONOMY_ENABLED: cycles run (on the schedule, and on POST /autonomy/run)")
    approval_required: bool = Field(
        description="AUTONOMY_APPROVAL_REQUIRED: a cycle asks a person to approve each action instead of carrying it "
        "out (when not a dry run)"
    )
    default_dry_run: bool = Field(description="AUTONOMY_DRY_RUN: every check and read, no write")
    poll_interval_seconds: int = Field(description="How often the schedule runs a cycle")
    max_incidents_per_cycle: int = Field(description="AUTONOMY_MAX_INCIDENTS_PER_CYCLE: incidents acted on per cycle")
    autonomous_actions: list[str] = Field(description="AUTONOMY_ACTIONS: the only actions a cycle takes")
    allowed_namespaces: list[str] = Field(
        description="AUTONOMY_ALLOWED_NAMESPACES: the only namespaces a cycle acts in; empty: those the policy allows"
    )
    deployment_profile: str = Field(description="Where the platform runs: aws or local")
    principal: str = Field(description="The actor of everything a cycle does, on timelines, actions and approvals")
    mode: ModeName = Field(description="What a cycle does with an action it takes: dry_run, approval or execute")


class AutonomousAction(BaseModel):
    incident_id: str
    workspace_id: str
    action: str
    arguments: dict[str, Any]
    suggestion_key: str = Field(description="As the diagnosis' suggestion and its approval carry it")
    mode: ModeName
    status: Literal["dry_run", "success", "pending_approval", "failed", "refused", "rate_limited", "error"] = Field(
        description="The action's outcome; refused: the policy refuses it now; rate_limited and error: a later "
        "cycle tries again"
    )
    message: str
    approval_id: str | None = None
    execution_id: str | None = None
    verified: bool | None = None


class AutonomySkip(BaseModel):
    incident_id: str
    action: str | None = Field(description="null: the whole incident")
    reason: str


class AutonomyCycle(BaseModel):
    cycle_id: str
    trigger: str = Field(description="schedule, or api:<principal>")
    mode: ModeName
    started_at: UtcDatetime
    finished_at: UtcDatetime | None
    incidents_examined: int
    incidents_acted_on: int
    actions: list[AutonomousAction]
    skipped: list[AutonomySkip] = Field(description="Why each other suggestion was left alone (at most 200 listed)")
    skipped_count: int
    complete: bool = Field(description="false: stopped at its incident limit or its time; the next cycle goes on")
    stopped_because: str | None

"""Response models of /autonomy: what those routes send, as sent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


# -- /bot/interact ------------------------------------------------------------------------------------------------

MESSAGE_LENGTH = 4000


class BotInteract(BaseModel):
    """Seed 001's body: a message about an incident; `auto_apply` applies what the policy allows unapproved."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "message": "What is wrong with payments-api?",
                "incident_id": "inc-a1b2c3d4",
                "auto_apply": False,
            }
        }
    )

    message: str = Field(min_length=1, max_length=MESSAGE_LENGTH, description="The question, in words")
    incident_id: str = Field(pattern=r"^inc-[A-Za-z0-9_-]{1,64}$", description="The incident it is about")
    auto_apply: bool = Field(
        False,
        description="Carry out the proposals the policy allows without a person's approval (never the others)",
    )

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the message is blank")
        return value


class BotDiagnosisPublic(BaseModel):
    summary: str
    root_cause: str | None
    confidence: float


class BotProposal(BaseModel):
    action: str
    arguments: dict[str, Any]
    allowed: bool = Field(description="The policy allows the action (when the incident was diagnosed)")
    requires_approval: bool = Field(description="The policy asks a person to approve it first: never auto-applied")
    reasons: list[str] = Field(description="The policy's reasons it needs approval or is refused")
    applied: bool = Field(description="Carried out by this request (auto_apply), successfully")
    outcome: dict[str, Any] | None = Field(
        description="What carrying it out came to, as POST /actions/execute answers; null: not attempted"
    )


class BotInteraction(BaseModel):
    incident_id: str
    answer: str = Field(description="The answer in words: the diagnosis, what the engine read now, the proposals")
    diagnosis: BotDiagnosisPublic | None = Field(description="The latest finished diagnosis; null: none yet")
    proposals: list[BotProposal]
    auto_apply: bool

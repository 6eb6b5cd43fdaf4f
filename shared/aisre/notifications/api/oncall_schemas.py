"""Request and response models of /oncall (schedules, escalation policies, who is on call) and
/notifications/escalation, as sent. A request's shape is checked here; what its values mean (a zone, a rotation, an
overlap, a schedule that exists) is checked by the model, whose 422 names the field (`layers[0].participants`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisre.core.timestamps import UtcDatetime

_FORBID = ConfigDict(extra="forbid")

SCHEDULE_EXAMPLE: dict[str, Any] = {
    "name": "payments primary",
    "time_zone": "America/New_York",
    "layers": [
        {
            "participants": ["dave", "erin"],
            "rotation": "weekly",
            "handoff_time": "09:00",
            "start": "2026-01-05",
        },
        {
            "participants": ["frank"],
            "rotation": {"hours": 12},
            "handoff_time": "08:00",
            "start": "2026-01-05",
            "restrictions": [{"days": ["sat", "sun"], "start": "08:00", "end": "20:00"}],
        },
    ],
    "overrides": [{"participant": "gina", "start": "2026-03-10T09:00:00-04:00", "end": "2026-03-11T09:00:00-04:00"}],
}

POLICY_EXAMPLE: dict[str, Any] = {
    "name": "payments",
    "services": ["payments"],
    "team": "payments-team",
    "levels": [
        {"targets": [{"schedule": "sch-0123456789ab"}], "delay_minutes": 15},
        {"targets": [{"user": "eve"}], "delay_minutes": 30},
    ],
    "repeat": 1,
}


class RestrictionIn(BaseModel):
    model_config = _FORBID

    days: list[str] | None = Field(None, description="Weekdays it applies on (mon ... sun); every day when left out")
    start: str = Field(description="Local time HH:MM the layer starts covering")
    end: str = Field(description="Local time HH:MM it stops (at or before start: the next day; 24:00 for midnight)")


class LayerIn(BaseModel):
    model_config = _FORBID

    name: str | None = None
    participants: list[str] = Field(description="Who takes turns, in order (at least one)")
    rotation: str | dict[str, Any] = Field(description='"daily", "weekly", or {"hours": N} (1 to 2208)')
    handoff_time: str = Field("00:00", description="Local wall-clock time HH:MM of each hand-off")
    start: str = Field(description="Date YYYY-MM-DD of the first hand-off (participants[0]'s first turn)")
    restrictions: list[RestrictionIn] | None = Field(None, description="The layer covers only inside these")


class OverrideIn(BaseModel):
    model_config = _FORBID

    participant: str
    start: str = Field(description="ISO 8601; without an offset, in the schedule's time zone")
    end: str = Field(description="ISO 8601; without an offset, in the schedule's time zone")


class ScheduleIn(BaseModel):
    """A schedule: layers of rotations (later layers win where they cover), overrides over every layer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": SCHEDULE_EXAMPLE})

    name: str
    description: str | None = None
    time_zone: str = Field(description="IANA time zone of the hand-off times and restrictions (Europe/Berlin)")
    layers: list[LayerIn]
    overrides: list[OverrideIn] | None = Field(None, description="Each covers a stretch; two may not overlap")


class RestrictionOut(BaseModel):
    days: list[str]
    start: str
    end: str


class LayerOut(BaseModel):
    name: str | None = None
    participants: list[str]
    rotation: str | dict[str, int]
    handoff_time: str
    start: str
    restrictions: list[RestrictionOut]


class OverrideOut(BaseModel):
    participant: str
    start: UtcDatetime
    end: UtcDatetime


class SchedulePublic(BaseModel):
    id: str
    name: str
    description: str
    time_zone: str
    layers: list[LayerOut]
    overrides: list[OverrideOut]
    policies: list[str] = Field(description="The escalation policies that page it (it cannot be deleted meanwhile)")
    created_by: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int


class ScheduleList(BaseModel):
    schedules: list[SchedulePublic]
    count: int
    next_cursor: str | None = None


class ShiftPublic(BaseModel):
    start: str = Field(description="ISO 8601 in the schedule's time zone, with its UTC offset then")
    end: str = Field(description="ISO 8601 in the schedule's time zone, with its UTC offset then")
    participant: str
    source: Literal["layer", "override"]
    layer: int | None = Field(None, description="Index of the layer (later layers win where they cover)")
    turn: int | None = Field(None, description="The layer's turn since its start (participant = turn mod their count)")
    override: int | None = Field(None, description="Index of the override")


class ShiftList(BaseModel):
    schedule_id: str
    time_zone: str
    start: UtcDatetime = Field(alias="from")
    end: UtcDatetime = Field(alias="to")
    shifts: list[ShiftPublic]
    count: int


class TargetIn(BaseModel):
    model_config = _FORBID

    schedule: str | None = Field(None, description="A schedule's id: whoever it has on call")
    user: str | None = Field(None, description="A person by name")


class LevelIn(BaseModel):
    model_config = _FORBID

    targets: list[TargetIn]
    delay_minutes: float = Field(0, description="Minutes after this level is paged before the next one is")


class PolicyIn(BaseModel):
    """Levels paged in turn until someone acknowledges; a service belongs to one policy."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": POLICY_EXAMPLE})

    name: str
    description: str | None = None
    team: str | None = Field(None, description="The team /oncall/current names (the policy's name by default)")
    services: list[str] = Field(default_factory=list)
    levels: list[LevelIn]
    repeat: int = Field(0, description="Rounds after the first (0 to 10)")


class TargetOut(BaseModel):
    schedule: str | None = None
    user: str | None = None


class LevelOut(BaseModel):
    targets: list[TargetOut]
    delay_minutes: float


class PolicyPublic(BaseModel):
    id: str
    name: str
    description: str
    team: str | None = None
    services: list[str]
    levels: list[LevelOut]
    repeat: int
    created_by: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int


class PolicyList(BaseModel):
    policies: list[PolicyPublic]
    count: int
    next_cursor: str | None = None


class Deleted(BaseModel):
    id: str
    deleted: bool


class CurrentOnCallPublic(BaseModel):
    """Seed 001's /oncall/current."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "service": "payments",
                "oncall": "dave",
                "team": "payments-team",
                "escalation_contact": "eve",
                "week_number": 3,
                "rotation_index": 1,
            }
        }
    )

    service: str
    oncall: str | None = Field(description="Who the first level pages first now (nobody when no one covers now)")
    team: str = Field(description="The policy's team, else its name")
    escalation_contact: str | None = Field(description="Who the second level would page now")
    week_number: int = Field(description="ISO week number now, in the schedule's time zone")
    rotation_index: int | None = Field(description="The on-call person's place among their layer's participants")
    responders: list[str] = Field(description="Everyone the first level pages now")
    until: UtcDatetime | None = Field(None, description="When the current shift ends (looked for 16 days ahead)")
    schedule_id: str | None = None
    time_zone: str | None = None
    policy_id: str


class ResolvedTargetPublic(BaseModel):
    type: Literal["schedule", "user"]
    id: str = Field(description="The schedule's id, or the user's name")
    name: str
    person: str | None = Field(description="Who it pages (a schedule's on-call person now; nobody in a gap)")


class EscalationPreviewPublic(BaseModel):
    """Seed 001's /notifications/escalation: who an incident of the service has paged `minutes_elapsed` after it
    opened (levels resolved with the schedules as they stand now), and what comes next."""

    service: str
    policy_id: str
    policy_name: str
    minutes_elapsed: float
    level: int = Field(description="The level paged last (1 is the first)")
    round: int = Field(description="Its round (1 is the first; the policy's `repeat` adds rounds)")
    paged_at_minutes: float = Field(description="Minute of the escalation it was paged at")
    targets: list[ResolvedTargetPublic]
    paged: list[str] = Field(description="The people that level pages, each once")
    next_level: int | None = Field(description="The level paged next unless someone acknowledges; none after the last")
    next_round: int | None
    next_at_minutes: float | None
    next_in_minutes: float | None
    next_targets: list[ResolvedTargetPublic]
    next_paged: list[str]
    exhausted: bool = Field(description="True once the last round's last level is paged: nothing more follows")

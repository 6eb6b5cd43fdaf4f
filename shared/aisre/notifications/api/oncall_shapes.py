"""What the on-call routes answer, shaped from the model: schedules, policies, shifts (in their schedule's zone),
who is on call now (seed 001's /oncall/current) and the escalation preview (seed 001's /notifications/escalation)."""

from __future__ import annotations

from typing import Any

from aisre.notifications.model.oncall.escalation import Policy
from aisre.notifications.model.oncall.paging import CurrentOnCall, EscalationPreview, ResolvedTarget, people
from aisre.notifications.model.oncall.schedule import Schedule
from aisre.notifications.model.oncall.shifts import Shift


def schedule_public(schedule: Schedule) -> dict[str, Any]:
    document = schedule.spec.document()
    return {
        "id": schedule.id,
        **document,
        "overrides": [
            {"participant": item.participant, "start": item.start, "end": item.end} for item in schedule.spec.overrides
        ],
        "policies": sorted(schedule.policies),
        "created_by": schedule.created_by,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
        "version": schedule.version,
    }


def policy_public(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        **policy.spec.document(),
        "created_by": policy.created_by,
        "created_at": policy.created_at,
        "updated_at": policy.updated_at,
        "version": policy.version,
    }


def shift_public(shift: Shift, schedule: Schedule) -> dict[str, Any]:
    """Start and end in the schedule's zone with the offset there then (issue #13): the calendar's view of it."""
    zone = schedule.spec.zone
    shaped: dict[str, Any] = {
        "start": shift.start.astimezone(zone).isoformat(),
        "end": shift.end.astimezone(zone).isoformat(),
        "participant": shift.participant,
        "source": shift.source,
    }
    if shift.override is not None:
        shaped["override"] = shift.override
    else:
        shaped["layer"], shaped["turn"] = shift.layer, shift.turn
    return shaped


def target_public(target: ResolvedTarget) -> dict[str, Any]:
    return {"type": target.kind, "id": target.ref, "name": target.name, "person": target.person}


def current_public(service: str, current: CurrentOnCall) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "service": service,
        "oncall": current.oncall,
        "team": current.policy.spec.team or current.policy.spec.name,
        "escalation_contact": current.escalation_contact,
        "week_number": current.week_number,
        "rotation_index": current.rotation_index,
        "responders": list(current.responders),
        "policy_id": current.policy.id,
    }
    if current.until is not None:
        shaped["until"] = current.until
    if current.schedule is not None:
        shaped["schedule_id"], shaped["time_zone"] = current.schedule.id, current.schedule.spec.time_zone
    return shaped


def preview_public(service: str, minutes_elapsed: float, seen: EscalationPreview) -> dict[str, Any]:
    following = seen.following
    return {
        "service": service,
        "policy_id": seen.policy.id,
        "policy_name": seen.policy.spec.name,
        "minutes_elapsed": minutes_elapsed,
        "level": seen.step.level + 1,
        "round": seen.step.round + 1,
        "paged_at_minutes": seen.step.at_minutes,
        "targets": [target_public(target) for target in seen.targets],
        "paged": list(people(seen.targets)),
        "next_level": following.level + 1 if following else None,
        "next_round": following.round + 1 if following else None,
        "next_at_minutes": following.at_minutes if following else None,
        "next_in_minutes": round(following.at_minutes - minutes_elapsed, 4) if following else None,
        "next_targets": [target_public(target) for target in seen.next_targets],
        "next_paged": list(people(seen.next_targets)),
        "exhausted": following is None,
    }

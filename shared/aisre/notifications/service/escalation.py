"""EscalationService: an incident's escalation as one Step Functions execution (infra/statemachines/escalation.asl.json)
started when the incident opens and stopped when someone acknowledges or resolves it. Each Page of the execution
pages the level due (its targets resolved to people at that instant), puts it on the incident's timeline, and says
how long to wait for the next level; an incident no longer open ends it."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import NotFoundError, ValidationError
from aisre.incidents.model.incident import Incident, IncidentState, TimelineEvent
from aisre.notifications.model.events import EventType, NotificationEvent
from aisre.notifications.model.oncall.escalation import EscalationState, Policy, Step, after_page, next_step
from aisre.notifications.model.oncall.paging import ResolvedTarget, people, resolve_level
from aisre.notifications.ports import (
    Dispatch,
    EscalationIncidents,
    EscalationMachine,
    EscalationPages,
    PolicyStore,
    ScheduleStore,
)

logger = logging.getLogger(__name__)

FIRST_PAGE_EVENT = "oncall_paged"
ESCALATED_EVENT = "incident_escalated"
ACTOR = "escalation"


def execution_name(workspace_id: str, incident_id: str) -> str:
    """The execution's name, one per incident (Step Functions starts a name once): readable, within its 80
    characters of [A-Za-z0-9-_], and distinct per workspace."""
    digest = hashlib.sha256(f"{workspace_id}\n{incident_id}".encode()).hexdigest()[:16]
    readable = re.sub(r"[^A-Za-z0-9_-]", "-", incident_id)[:40]
    return f"esc-{readable}-{digest}"


class EscalationService:
    def __init__(
        self,
        policies: PolicyStore,
        schedules: ScheduleStore,
        incidents: EscalationIncidents,
        dispatch: Dispatch,
        pages: EscalationPages,
        machine: EscalationMachine | None,
        *,
        clock: Callable[[], datetime] = utc_now,
        public_url: str = "",
    ):
        self._policies = policies
        self._schedules = schedules
        self._incidents = incidents
        self._dispatch = dispatch
        self._pages = pages
        self._machine = machine
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    def start(self, workspace_id: str, incident_id: str, service: str | None, severity: str | None) -> bool:
        """Start the incident's escalation when a policy covers its service. False when none does, when no state
        machine is configured, or when it was started already (a redelivered incident.opened)."""
        if not service:
            return False
        policy = self._policies.policy_for_service(workspace_id, service)
        if policy is None:
            return False
        if self._machine is None:
            logger.warning("escalation not started: no ESCALATION_STATE_MACHINE_ARN", extra={"service": service})
            return False
        state = EscalationState(workspace_id, incident_id, policy.id, self._clock(), service, severity)
        return self._machine.start(execution_name(workspace_id, incident_id), state.to_dict())

    def stop(self, workspace_id: str, incident_id: str) -> bool:
        """Stop the incident's escalation (acknowledged, resolved). Its next Page would end it anyway: this ends
        the wait at once."""
        if self._machine is None:
            return False
        return self._machine.stop(execution_name(workspace_id, incident_id))

    def page(self, raw_state: Mapping[str, Any]) -> dict[str, Any]:
        """The Page Task: page the level `raw_state` is at unless the incident is no longer open; the next state."""
        try:
            state = EscalationState.from_dict(raw_state)
        except (KeyError, TypeError, ValueError) as bad:
            raise ValidationError(f"not an escalation's state: {bad}", field="state") from bad
        try:
            incident = self._incidents.get(state.workspace_id, state.incident_id)
        except NotFoundError:
            return state.finished("incident not found").to_dict()
        if incident.state is not IncidentState.OPEN:
            return state.finished(f"incident {incident.state.value}").to_dict()
        try:
            policy = self._policies.get_policy(state.workspace_id, state.policy_id)
        except NotFoundError:
            return state.finished("escalation policy deleted").to_dict()
        now = self._clock()
        level = min(state.level, len(policy.spec.levels) - 1)
        paged = self._pages.paged_before(state.workspace_id, state.incident_id, state.round, level)
        if paged is None:  # not a Task retried after its page went out
            paged = self._page(incident, policy, state.round, level, now)
        return after_page(policy.spec, state, now, paged).to_dict()

    def _page(self, incident: Incident, policy: Policy, round_: int, level: int, now: datetime) -> tuple[str, ...]:
        schedules = self._schedules.find_schedules(policy.workspace_id, policy.spec.schedule_ids)
        resolved = resolve_level(policy.spec.levels[level], schedules, now)
        recipients = people(resolved)
        first = round_ == 0 and level == 0
        following = next_step(policy.spec, Step(round_, level, 0.0))
        about = {
            "policy_id": policy.id,
            "policy_name": policy.spec.name,
            "level": level + 1,
            "round": round_ + 1,
            "recipients": list(recipients),
            "targets": [_target(target) for target in resolved],
            "next_level": following.level + 1 if following else None,
            "next_round": following.round + 1 if following else None,
            "next_after_minutes": policy.spec.levels[level].delay_minutes if following else None,
        }
        self._dispatch.dispatch(self._event(incident, policy, recipients, about, first, now))
        self._incidents.record_event(
            incident.workspace_id,
            TimelineEvent(
                incident_id=incident.id,
                event_type=FIRST_PAGE_EVENT if first else ESCALATED_EVENT,
                actor=ACTOR,
                payload=about,
                created_at=now,
            ),
        )
        self._pages.record_page(incident.workspace_id, incident.id, policy.id, round_, level, recipients)
        return recipients

    def _event(
        self,
        incident: Incident,
        policy: Policy,
        recipients: tuple[str, ...],
        about: dict[str, Any],
        first: bool,
        now: datetime,
    ) -> NotificationEvent:
        """The first level's page is the new incident's (incident.opened, to the people on call); the later ones
        are escalations."""
        who = ", ".join(recipients) or "nobody on call"
        return NotificationEvent(
            event_id=f"esc:{incident.id}:{about['round']}:{about['level']}",
            event_type=EventType.INCIDENT_OPENED if first else EventType.INCIDENT_ESCALATED,
            workspace_id=incident.workspace_id,
            occurred_at=now,
            severity=incident.severity.value,
            title=incident.title,
            service=incident.service,
            summary=f"{policy.spec.name}: level {about['level']} (round {about['round']}) paged {who}",
            incident_id=incident.id,
            group_id=incident.group_id or incident.id,
            state=incident.state.value,
            alert_count=incident.alert_count,
            labels=dict(incident.labels),
            link=f"{self._public_url}/incidents/{incident.id}" if self._public_url else None,
            recipients=recipients,
            data={"escalation": about},
        )


def _target(target: ResolvedTarget) -> dict[str, Any]:
    return {"type": target.kind, "id": target.ref, "name": target.name, "person": target.person}

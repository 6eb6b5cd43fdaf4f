"""AutonomyService: one autonomy cycle. Open incidents, newest first; each one's finished diagnosis; the suggested
actions autonomy may take (model/cycle.py `choose`); each claimed (a decision, so that cycles running at once act
once), then carried out through ActionService as the principal `autonomy`: a dry run unless AUTONOMY_DRY_RUN is
false, then an approval asked of a person unless AUTONOMY_APPROVAL_REQUIRED is false, then the action itself,
which the policy still judges (it holds for approval what the policy says a person decides). At most
AUTONOMY_MAX_INCIDENTS_PER_CYCLE incidents are acted on, within the cycle's time.

Everything ActionService does for it is on the incident's timeline, /actions and /activity with `autonomy` as the
actor and `autonomous: true` (remediation/service/audit.py)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from aisre.autonomy.errors import AutonomyDisabledError
from aisre.autonomy.model.config import AutonomyConfig, Mode
from aisre.autonomy.model.cycle import (
    ActionStatus,
    ActionTaken,
    Chosen,
    CycleReport,
    Decision,
    DecisionStatus,
    Skip,
    choose,
    not_decided,
)
from aisre.autonomy.ports import DecisionStore, Diagnoses, OpenIncidents, Remediation
from aisre.core.auth import AUTONOMY_PRINCIPAL
from aisre.core.clock import utc_now
from aisre.core.errors import AisreError, ForbiddenError, RateLimitedError, ValidationError
from aisre.core.observability import logger
from aisre.incidents.model.incident import Incident, IncidentState
from aisre.remediation.model.execution import OutcomeStatus
from aisre.remediation.model.requests import action_request

# Open incidents read a page at a time; a cycle examines at most this many per incident it may act on, so that
# its reads stay bounded whatever the backlog (the rest wait for the next cycle).
PAGE_SIZE = 25
EXAMINED_PER_INCIDENT_ACTED_ON = 5
# How long a claim holds before another cycle may take it over (the claiming cycle died): longer than any action.
CLAIM_LEASE = timedelta(minutes=5)
# An action that failed for a reason of the moment (storage, a run of it in progress) is tried again after this.
RETRY_AFTER = timedelta(minutes=1)
# What a dry run or an approval request needs of the cycle's time; a real action adds its verification.
ACTION_SECONDS = 2.0

_ACTED = {
    OutcomeStatus.DRY_RUN: ActionStatus.DRY_RUN,
    OutcomeStatus.SUCCESS: ActionStatus.SUCCESS,
    OutcomeStatus.PENDING_APPROVAL: ActionStatus.PENDING_APPROVAL,
    OutcomeStatus.FAILED: ActionStatus.FAILED,
}


def new_cycle_id() -> str:
    return f"auto-{secrets.token_hex(6)}"


class AutonomyService:
    def __init__(
        self,
        config: AutonomyConfig,
        incidents: OpenIncidents,
        diagnoses: Diagnoses,
        remediation: Remediation,
        decisions: DecisionStore,
        *,
        verify_seconds: float = 15.0,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.config = config
        self._incidents = incidents
        self._diagnoses = diagnoses
        self._remediation = remediation
        self._decisions = decisions
        self._verify_seconds = verify_seconds
        self._clock = clock

    def run_cycle(self, workspace_id: str | None, trigger: str, budget_seconds: float) -> CycleReport:
        """One cycle over the open incidents of `workspace_id` (None: every workspace), for at most
        `budget_seconds` (an action is not started unless it can finish within them)."""
        if not self.config.enabled:
            raise AutonomyDisabledError("autonomy is disabled (AUTONOMY_ENABLED=false): no cycle ran, nothing was done")
        deadline = time.monotonic() + budget_seconds
        mode = self.config.mode
        report = CycleReport(cycle_id=new_cycle_id(), trigger=trigger, mode=mode, started_at=self._clock())
        limit = self.config.max_incidents_per_cycle
        cursor: str | None = None
        while report.complete:
            page = self._incidents.list_incidents(workspace_id, IncidentState.OPEN, PAGE_SIZE, cursor)
            for incident in page.items:
                if report.incidents_acted_on >= limit:
                    report.stop(f"acted on {limit} incidents (AUTONOMY_MAX_INCIDENTS_PER_CYCLE)")
                elif report.incidents_examined >= limit * EXAMINED_PER_INCIDENT_ACTED_ON:
                    report.stop(f"examined {report.incidents_examined} open incidents")
                elif deadline - time.monotonic() < ACTION_SECONDS:
                    report.stop("the cycle's time is spent")
                if not report.complete:
                    break
                report.incidents_examined += 1
                self._incident(incident, mode, report, deadline)
            cursor = page.cursor
            if cursor is None:
                break
        report.finished_at = self._clock()
        logger.info(
            "autonomy cycle",
            extra={"cycle_id": report.cycle_id, "trigger": trigger, "mode": mode.value,
                   "examined": report.incidents_examined, "acted_on": report.incidents_acted_on,
                   "actions": len(report.actions), "complete": report.complete},
        )  # fmt: skip
        return report

    # -- one incident -------------------------------------------------------------------------------------------

    def _incident(self, incident: Incident, mode: Mode, report: CycleReport, deadline: float) -> None:
        diagnosis = self._diagnoses.finished_diagnosis(incident)
        if diagnosis is None:
            report.skip([Skip(incident_id=incident.id, reason="no finished diagnosis yet")])
            return
        if diagnosis.incident_id != incident.id:
            # A grouped child shares its root's diagnosis: acting for both would act twice on the same target.
            reason = f"shares the diagnosis of its group's root {diagnosis.incident_id}: autonomy acts there"
            report.skip([Skip(incident_id=incident.id, reason=reason)])
            return
        chosen, skipped = choose(incident.id, diagnosis.suggested_actions, self.config)
        report.skip(skipped)
        if not chosen:
            return
        now = self._clock()
        decided = self._decisions.decisions_of(incident.workspace_id, incident.id, mode.value)
        chosen, skipped = not_decided(incident.id, chosen, decided, now)
        report.skip(skipped)
        acted = False
        for item in chosen:
            needed = ACTION_SECONDS + (self._verify_seconds if mode is Mode.EXECUTE else 0.0)
            if deadline - time.monotonic() < needed:
                report.stop("the cycle's time is spent")
                break
            taken = self._claim_and_act(incident, item, mode, report.cycle_id)
            if taken is not None:
                report.actions.append(taken)
                acted = True
        if acted:
            report.incidents_acted_on += 1

    def _claim_and_act(self, incident: Incident, item: Chosen, mode: Mode, cycle_id: str) -> ActionTaken | None:
        now = self._clock()
        decision = Decision(
            workspace_id=incident.workspace_id,
            incident_id=incident.id,
            suggestion_key=item.suggestion_key,
            mode=mode,
            action=item.action,
            arguments=item.arguments,
            cycle_id=cycle_id,
            claimed_at=now,
            lease_until=now + CLAIM_LEASE,
        )
        if not self._decisions.claim(decision, now):
            return None  # another cycle took it a moment ago
        taken, retry_at = self._act(incident, item, mode, cycle_id)
        finished = self._clock()
        decision = decision.model_copy(
            update={
                "status": DecisionStatus.DONE if taken.final else DecisionStatus.DEFERRED,
                "lease_until": retry_at or finished,
                "finished_at": finished,
                "outcome": taken.model_dump(mode="json", include={"status", "message", "approval_id", "execution_id"}),
            }
        )
        try:
            self._decisions.finish(decision)
        except AisreError as error:  # the action is what it is; the claim lapses and the record says less
            logger.error("autonomy decision not recorded", extra={"incident_id": incident.id, "error": error.message})
        return taken

    def _act(self, incident: Incident, item: Chosen, mode: Mode, cycle_id: str) -> tuple[ActionTaken, datetime | None]:
        """What the action came to, and when to try again (None: never, in this mode)."""

        def taken(status: ActionStatus, message: str, **extra: object) -> ActionTaken:
            return ActionTaken.model_validate(
                {
                    "incident_id": incident.id,
                    "workspace_id": incident.workspace_id,
                    "action": item.action,
                    "arguments": item.arguments,
                    "suggestion_key": item.suggestion_key,
                    "mode": mode,
                    "status": status,
                    "message": message,
                    **extra,
                }
            )

        try:
            request = action_request(
                item.action,
                item.arguments,
                incident_id=incident.id,
                dry_run=mode is Mode.DRY_RUN,
                approved=False,  # never its own approval: what the policy holds for a person waits for one
            )
            if mode is Mode.APPROVAL:
                approval = self._remediation.request_approval(
                    incident.workspace_id,
                    request,
                    AUTONOMY_PRINCIPAL,
                    note=f"asked by autonomy (cycle {cycle_id}) for the diagnosis' suggested action",
                    for_suggestion=True,
                )
                message = f"waiting for approval {approval.id} ({approval.reason})"
                return taken(ActionStatus.PENDING_APPROVAL, message, approval_id=approval.id), None
            outcome = self._remediation.execute(
                incident.workspace_id,
                request,
                AUTONOMY_PRINCIPAL,
                # A retried cycle (its claim taken over) finds the first run's outcome rather than acting again.
                idempotency_key=f"autonomy:{incident.id}:{item.suggestion_key}" if mode is Mode.EXECUTE else None,
            )
            status = _ACTED[outcome.status]
            extra = {
                "approval_id": outcome.approval_id,
                "execution_id": outcome.execution_id,
                "verified": outcome.verified,
            }
            return taken(status, outcome.message, **extra), None
        except (ValidationError, ForbiddenError) as refused:
            return taken(ActionStatus.REFUSED, refused.message), None
        except RateLimitedError as limited:
            retry_at = self._clock() + timedelta(seconds=limited.retry_after_seconds)
            return taken(ActionStatus.RATE_LIMITED, limited.message), retry_at
        except AisreError as error:
            return taken(ActionStatus.ERROR, error.message), self._clock() + RETRY_AFTER

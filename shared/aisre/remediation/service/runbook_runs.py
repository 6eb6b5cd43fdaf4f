"""RunbookRunService: a runbook carried out on an incident, step by step, and carried on when it can go further.

A run goes on (`_advance`) when it starts, when the approval its write step waits on is decided (the
`approval.decided` event, remediation/subscribers.py), and on `resume`. Each pass reads the run, does the current
step and records it under the version it read, so two passes racing record a step once:

- a step that runs nothing (text for a person, or one whose target the incident does not name) and a read are
  recorded after the fact (a read done twice harms nothing);
- an action is claimed first (the step `running` until a lease ends), then carried out through ActionService under
  the step's own key or its approval's id, so even a pass that takes over a dead one's claim acts once;
- a write step waiting on an approval goes on once the approval is decided: approved (its execution's outcome is
  the step's), rejected or expired (the run ends there).

A pass stops when the run waits for a person or ends. It starts no read or carried-out write once the request
has run `budget_seconds` (a write waits for its verification, and API Gateway answers within 30 s; after an approval
the request began with the approval's own action): the run is then `running`, and `resume` carries it on. Steps
that only write the table (text, skips, asking for an approval) always go on. Every step is on the incident's
timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aisre.core.clock import utc_now
from aisre.core.errors import AisreError, NotFoundError, ValidationError
from aisre.core.observability import logger
from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.remediation.model.approvals import Approval
from aisre.remediation.model.runbook_runs import (
    RUN_ID,
    RunbookRun,
    RunStatus,
    StepResult,
    StepStatus,
    as_of,
    claim_step,
    complete_step,
    new_run_id,
    plan_run,
)
from aisre.remediation.model.runbooks import StepKind
from aisre.remediation.ports import IncidentLog, RunStore
from aisre.remediation.service.runbook_steps import StepRunner
from aisre.remediation.service.runbooks import RunbookService

# A run's steps are at most MAX_STEPS (model/runbook_documents.py); each pass records one of them, and a pass may
# lose a race now and then.
MAX_PASSES = 100


def _slow(run: RunbookRun, kind: StepKind) -> bool:
    """Whether the step may take a while: a read of the cluster, or a write carried out now (and verified)."""
    return kind is StepKind.READ or (kind is StepKind.ACTION and (run.auto_approve or run.dry_run))


class RunbookRunService:
    def __init__(
        self,
        runs: RunStore,
        runbooks: RunbookService,
        steps: StepRunner,
        incidents: IncidentLog,
        *,
        lease: timedelta,
        budget_seconds: float = 10.0,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._runs = runs
        self._runbooks = runbooks
        self._steps = steps
        self._incidents = incidents
        self._lease = lease
        self._budget = timedelta(seconds=budget_seconds)
        self._clock = clock

    # -- entry points -----------------------------------------------------------------------------------------

    def start(
        self,
        workspace_id: str | None,
        incident_id: str,
        runbook_id: str,
        principal: str,
        *,
        auto_approve: bool = False,
        dry_run: bool = False,
        idempotency_key: str | None = None,
    ) -> RunbookRun:
        """Run `runbook_id` (built-in or saved in the incident's workspace) on the incident, as far as it goes now.
        The same Idempotency-Key again answers the run it started (carried on)."""
        started = self._clock()
        incident = self._incidents.get(workspace_id, incident_id)
        stored = self._runbooks.get(incident.workspace_id, runbook_id)
        run_id = new_run_id(incident.workspace_id, incident.id, principal, idempotency_key)
        run = plan_run(
            run_id,
            stored.runbook,
            stored.source.value,
            incident,
            principal,
            self._clock(),
            auto_approve=auto_approve,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
        if not self._runs.create_run(run):
            earlier = self._runs.get_run(incident.workspace_id, incident.id, run_id)
            if earlier is None or earlier.runbook_id != runbook_id:
                raise ValidationError("this Idempotency-Key was used for another runbook run", field="Idempotency-Key")
            return self._advance(incident, run_id, started)
        payload = {"runbook_name": run.runbook_name, "steps": len(run.steps), "auto_approve": auto_approve}
        self._event(incident, run, "runbook_started", {**payload, "dry_run": dry_run}, principal)
        return self._advance(incident, run_id, started)

    def get(self, workspace_id: str | None, incident_id: str, run_id: str) -> RunbookRun:
        """The run as of now: a waiting step shows its approval's status (expired, decided) even before the run
        is carried on."""
        incident = self._incidents.get(workspace_id, incident_id)
        run = self._run(incident, run_id)
        step = run.current
        if run.status is RunStatus.WAITING_APPROVAL and step is not None:
            return as_of(run, self._steps.approval_status(run, step))
        return run

    def runs_of(self, workspace_id: str | None, incident_id: str) -> list[RunbookRun]:
        incident = self._incidents.get(workspace_id, incident_id)
        return self._runs.runs_of_incident(incident.workspace_id, incident.id)

    def resume(self, workspace_id: str | None, incident_id: str, run_id: str) -> RunbookRun:
        """Carry the run on as far as it goes now: after a pass spent its time, an approval that expired or was
        decided while nobody was listening, a request that died mid-step. Nothing happens twice."""
        started = self._clock()
        incident = self._incidents.get(workspace_id, incident_id)
        self._run(incident, run_id)
        return self._advance(incident, run_id, started)

    def after_decision(self, approval: Approval) -> None:
        """An approval was decided: the run whose write step waits on it goes on (the `approval.decided` event)."""
        if approval.runbook_run_id is None or approval.incident_id is None:
            return
        incident = self._incidents.get(approval.workspace_id, approval.incident_id)
        # The request began with the approval's own action: its time counts.
        self._advance(incident, approval.runbook_run_id, approval.decided_at or self._clock())

    # -- carrying a run on ---------------------------------------------------------------------------------

    def _run(self, incident: Incident, run_id: str) -> RunbookRun:
        run = self._runs.get_run(incident.workspace_id, incident.id, run_id) if RUN_ID.match(run_id) else None
        if run is None:
            raise NotFoundError(f"runbook run {run_id} not found on incident {incident.id}", field="run_id")
        return run

    def _advance(self, incident: Incident, run_id: str, started: datetime) -> RunbookRun:
        deadline = started + self._budget
        run = self._run(incident, run_id)
        for _pass in range(MAX_PASSES):
            step = run.current
            if run.finished or step is None:
                return run
            now = self._clock()
            result: StepResult | None
            if step.status is StepStatus.WAITING_APPROVAL:
                result = self._steps.decided(run, step)
                if result is None:
                    return run
                recorded = self._record(incident, run, result)
            elif step.status is StepStatus.RUNNING and step.lease_until is not None and step.lease_until > now:
                return run  # another request holds it
            elif now >= deadline and _slow(run, step.kind) and step.skip_reason is None:
                return run  # this request's time is spent: `resume` carries it on
            elif step.skip_reason is not None:
                recorded = self._record(incident, run, StepResult(StepStatus.SKIPPED, reason=step.skip_reason))
            elif step.kind is StepKind.MANUAL:
                recorded = self._record(incident, run, StepResult(StepStatus.NOTED, output=step.command))
            elif step.kind is StepKind.READ:
                recorded = self._record(incident, run, self._steps.read(step))
            else:
                claimed = claim_step(run, now, self._lease)
                if not self._runs.save_run(claimed, run.version):
                    run = self._run(incident, run_id)
                    continue
                recorded = self._record(incident, claimed, self._steps.act(claimed, claimed.steps[claimed.cursor]))
            run = recorded if recorded is not None else self._run(incident, run_id)
        return run

    def _record(self, incident: Incident, run: RunbookRun, result: StepResult) -> RunbookRun | None:
        """Record the current step's result under the version it was read at; None when another pass got there
        first (the caller reads the run again)."""
        step = run.steps[run.cursor]
        done = complete_step(run, result, self._clock())
        if not self._runs.save_run(done, run.version):
            return None
        payload: dict[str, Any] = {
            "step": step.index + 1,
            "title": step.title,
            "kind": step.kind.value,
            **({"read": step.read} if step.read else {}),
            **({"action": step.action} if step.action else {}),
        }
        for name in ("output", "reason", "approval_id", "execution_id", "verified"):
            value = getattr(result, name)
            if value is not None:
                payload[name] = value
        self._event(incident, run, f"runbook_step_{result.status.value}", payload, run.started_by)
        if done.finished:
            self._event(incident, done, "runbook_finished", {"status": done.status.value}, run.started_by)
        return done

    def _event(self, incident: Incident, run: RunbookRun, event_type: str, payload: dict[str, Any], actor: str) -> None:
        event = TimelineEvent(
            incident_id=incident.id,
            event_type=event_type,
            actor=actor,
            payload={"run_id": run.id, "runbook_id": run.runbook_id, **payload},
            created_at=self._clock(),
        )
        try:
            self._incidents.record_event(incident.workspace_id, event)
        except AisreError as error:  # the run's own record is written: the timeline is its echo
            logger.error("runbook event not recorded", extra={"incident_id": incident.id, "error": error.message})

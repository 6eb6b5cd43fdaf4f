"""Runbook runs: planning from the incident (targets never from the runbook), the step transitions, the run as
a reader sees it, and the run service's passes against stand-ins: a step recorded once when passes race, a write
never asked for twice on a takeover, the request's time budget, and an approval's decision carrying a run on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aisre.incidents.model.incident import Incident, TimelineEvent
from aisre.remediation.model.approvals import Approval, ApprovalStatus
from aisre.remediation.model.runbook_documents import RunbookSource, StoredRunbook, parse_runbook
from aisre.remediation.model.runbook_runs import (
    RunbookRun,
    RunStatus,
    RunStep,
    StepResult,
    StepStatus,
    as_of,
    claim_step,
    complete_step,
    new_run_id,
    plan_run,
)
from aisre.remediation.service.runbook_runs import RunbookRunService

T0 = datetime(2025, 1, 1, tzinfo=UTC)
RUNBOOK = parse_runbook(
    {
        "id": "restart-it",
        "name": "Restart it",
        "steps": [
            {"title": "Look", "command": "kubectl get pod {pod} -n {namespace}", "read": "pod_status"},
            "Tell the team",
            {"title": "Restart", "action": "restart_pod"},
            {"title": "Scale", "action": "scale_deployment", "arguments": {"replicas": 3}},
            {"title": "Propose", "action": "suggest_config_fix"},
        ],
    }
)


def incident(**overrides: Any) -> Incident:
    fields: dict[str, Any] = {
        "id": "inc-1",
        "workspace_id": "ws-1",
        "title": "web OOMKilled",
        "severity": "critical",
        "source": "prometheus",
        "provider": "generic",
        "fingerprint": "fp",
        "created_at": T0,
        "namespace": "shop",
        "pod": "web-1",
        "deployment": "web",
        "service": "web",
    }
    return Incident(**(fields | overrides))


def plan(**overrides: Any) -> RunbookRun:
    return plan_run("rbr-0123456789abcdef", RUNBOOK, "imported", incident(**overrides), "alice", T0,
                    auto_approve=False, dry_run=False)  # fmt: skip


# -- planning -----------------------------------------------------------------------------------------------------


def test_a_plan_takes_each_target_from_the_incident() -> None:
    run = plan()
    look, note, restart, scale, propose = run.steps
    assert look.command == "kubectl get pod web-1 -n shop" and look.arguments == {"namespace": "shop", "pod": "web-1"}
    assert note.command is None and note.kind == "manual"
    assert restart.arguments == {"namespace": "shop", "pod_name": "web-1"}
    assert scale.arguments == {"namespace": "shop", "deployment_name": "web", "replicas": 3}
    assert propose.arguments == {"component": "web", "issue": "web OOMKilled", "current_spec": ""}
    assert all(step.skip_reason is None and step.status is StepStatus.PENDING for step in run.steps)


def test_a_step_whose_target_the_incident_does_not_name_is_skipped_with_why() -> None:
    run = plan(pod=None, deployment=None, service=None, labels={})
    assert run.steps[0].skip_reason == "the incident names no pod"
    assert run.steps[2].skip_reason == "the incident names no pod for restart_pod"
    assert run.steps[3].skip_reason == "the incident names no deployment for scale_deployment"
    assert run.steps[4].skip_reason == "the incident names no workload for suggest_config_fix"


def test_unsafe_names_are_never_targets() -> None:
    run = plan(pod="web-1; kubectl delete ns shop", namespace="$(whoami)")
    assert run.steps[0].command == "kubectl get pod <pod> -n <namespace>"
    assert run.steps[2].skip_reason is not None and run.steps[2].arguments == {}


def test_run_ids_are_random_or_derived_from_an_idempotency_key() -> None:
    assert new_run_id("ws", "inc", "alice", None) != new_run_id("ws", "inc", "alice", None)
    assert new_run_id("ws", "inc", "alice", "k") == new_run_id("ws", "inc", "alice", "k")
    assert new_run_id("ws", "inc", "bob", "k") != new_run_id("ws", "inc", "alice", "k")


# -- transitions --------------------------------------------------------------------------------------------------


def test_steps_advance_the_cursor_and_the_last_one_finishes_the_run() -> None:
    run = plan()
    for _ in run.steps:
        run = complete_step(run, StepResult(StepStatus.SUCCEEDED), T0)
    assert run.status is RunStatus.SUCCEEDED and run.finished and run.version == 6 and run.current is None


def test_a_waiting_step_holds_the_cursor_and_a_decision_moves_it() -> None:
    run = complete_step(plan(), StepResult(StepStatus.SUCCEEDED), T0)
    run = complete_step(run, StepResult(StepStatus.NOTED), T0)
    waiting = complete_step(run, StepResult(StepStatus.WAITING_APPROVAL, approval_id="apr-1"), T0)
    assert waiting.status is RunStatus.WAITING_APPROVAL and waiting.cursor == 2
    done = complete_step(waiting, StepResult(StepStatus.SUCCEEDED, execution_id="act-1"), T0)
    assert done.steps[2].approval_id == "apr-1" and done.steps[2].execution_id == "act-1" and done.cursor == 3


def test_a_failed_write_rejection_or_expiry_ends_the_run_a_failed_read_does_not() -> None:
    read_failed = complete_step(plan(), StepResult(StepStatus.FAILED, reason="NotFound"), T0)
    assert read_failed.status is RunStatus.RUNNING and read_failed.cursor == 1
    at_write = complete_step(read_failed, StepResult(StepStatus.NOTED), T0)
    for status, ending in ((StepStatus.FAILED, RunStatus.FAILED), (StepStatus.REJECTED, RunStatus.REJECTED),
                           (StepStatus.EXPIRED, RunStatus.EXPIRED)):  # fmt: skip
        ended = complete_step(at_write, StepResult(status), T0)
        assert ended.status is ending and ended.finished
        assert [step.status for step in ended.steps[3:]] == [StepStatus.SKIPPED, StepStatus.SKIPPED]
        assert ended.steps[3].reason == f"the run ended at step 3 ({status.value})"


def test_claiming_holds_a_step_for_a_lease() -> None:
    claimed = claim_step(plan(), T0, timedelta(seconds=75))
    step = claimed.steps[0]
    assert (step.status, step.attempt, step.lease_until) == (StepStatus.RUNNING, 1, T0 + timedelta(seconds=75))
    assert claim_step(claimed, T0, timedelta(seconds=1)).steps[0].attempt == 2


def test_a_reader_sees_the_waiting_approvals_status() -> None:
    run = plan().model_copy(update={"cursor": 2, "status": RunStatus.WAITING_APPROVAL})
    assert as_of(run, ApprovalStatus.EXPIRED).status is RunStatus.EXPIRED
    assert as_of(run, ApprovalStatus.APPROVED).status is RunStatus.RUNNING
    assert as_of(run, ApprovalStatus.PENDING).steps[2].approval_status is ApprovalStatus.PENDING
    assert as_of(plan(), ApprovalStatus.EXPIRED).status is RunStatus.RUNNING


# -- the service's passes, against stand-ins ------------------------------------------------------------------


class Runs:
    """A run store whose next `lose` saves fail, as when another pass saved first."""

    def __init__(self) -> None:
        self.runs: dict[str, RunbookRun] = {}
        self.lose = 0

    def create_run(self, run: RunbookRun) -> bool:
        if run.id in self.runs:
            return False
        self.runs[run.id] = run
        return True

    def get_run(self, workspace_id: str, incident_id: str, run_id: str) -> RunbookRun | None:
        return self.runs.get(run_id)

    def save_run(self, run: RunbookRun, expected_version: int) -> bool:
        if self.lose:
            self.lose -= 1
            current = self.runs[run.id]
            self.runs[run.id] = current.model_copy(update={"version": current.version + 1})
            return False
        if self.runs[run.id].version != expected_version:
            return False
        self.runs[run.id] = run
        return True

    def runs_of_incident(self, workspace_id: str, incident_id: str) -> list[RunbookRun]:
        return list(self.runs.values())


class Catalog:
    def get(self, workspace_id: str, runbook_id: str) -> StoredRunbook:
        return StoredRunbook(RUNBOOK, RunbookSource.IMPORTED)


@dataclass
class Steps:
    """Stands in for StepRunner: writes wait for approval `apr-<step>`; records what it was asked to do."""

    decisions: dict[str, StepResult | None] = field(default_factory=dict)
    done: list[tuple[str, int, int]] = field(default_factory=list)

    def read(self, step: RunStep) -> StepResult:
        self.done.append(("read", step.index, step.attempt))
        return StepResult(StepStatus.SUCCEEDED, output="seen")

    def act(self, run: RunbookRun, step: RunStep) -> StepResult:
        self.done.append(("act", step.index, step.attempt))
        if step.kind == "advice":
            return StepResult(StepStatus.SUCCEEDED, output="proposed")
        return StepResult(StepStatus.WAITING_APPROVAL, approval_id=f"apr-{step.index}")

    def decided(self, run: RunbookRun, step: RunStep) -> StepResult | None:
        return self.decisions.get(str(step.approval_id))

    def approval_status(self, run: RunbookRun, step: RunStep) -> ApprovalStatus | None:
        return ApprovalStatus.PENDING


class Incidents:
    def __init__(self) -> None:
        self.events: list[TimelineEvent] = []

    def get(self, workspace_id: str | None, incident_id: str) -> Incident:
        return incident()

    def record_event(self, workspace_id: str, event: TimelineEvent) -> None:
        self.events.append(event)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def service(steps: Steps, runs: Runs, clock: Clock, budget: float = 10.0) -> RunbookRunService:
    return RunbookRunService(runs, Catalog(), steps, Incidents(), lease=timedelta(seconds=60),  # type: ignore[arg-type]
                             budget_seconds=budget, clock=clock)  # fmt: skip


def test_a_run_goes_as_far_as_it_can_and_a_decision_carries_it_on() -> None:
    steps, runs, clock = Steps(), Runs(), Clock()
    runs_service = service(steps, runs, clock)
    run = runs_service.start("ws-1", "inc-1", "restart-it", "alice")
    assert run.status is RunStatus.WAITING_APPROVAL and run.cursor == 2
    assert steps.done == [("read", 0, 0), ("act", 2, 1)]
    steps.decisions["apr-2"] = StepResult(StepStatus.SUCCEEDED, execution_id="act-x")
    approval = Approval(id="apr-2", workspace_id="ws-1", action="restart_pod", arguments={}, incident_id="inc-1",
                        requested_by="alice", requested_at=T0, expires_at=T0 + timedelta(hours=1),
                        runbook_run_id=run.id, runbook_step=2, decided_at=T0)  # fmt: skip
    runs_service.after_decision(approval)
    run = runs.runs[run.id]
    assert run.cursor == 3 and run.steps[2].execution_id == "act-x" and run.status is RunStatus.WAITING_APPROVAL
    runs_service.after_decision(approval)  # heard twice: nothing more
    assert steps.done == [("read", 0, 0), ("act", 2, 1), ("act", 3, 1)]


def test_a_pass_that_loses_a_race_reads_again_and_records_each_step_once() -> None:
    steps, runs, clock = Steps(), Runs(), Clock()
    runs.lose = 2  # another pass saved first, twice
    run = service(steps, runs, clock).start("ws-1", "inc-1", "restart-it", "alice")
    assert run.cursor == 2 and [step.status for step in run.steps[:2]] == [StepStatus.SUCCEEDED, StepStatus.NOTED]
    assert [what for what in steps.done if what[0] == "act"] == [("act", 2, 1)]


def test_a_claimed_step_is_left_to_its_holder_then_taken_over_after_its_lease() -> None:
    steps, runs, clock = Steps(), Runs(), Clock()
    runs_service = service(steps, runs, clock)
    run = plan()
    run = complete_step(complete_step(run, StepResult(StepStatus.SUCCEEDED), T0), StepResult(StepStatus.NOTED), T0)
    runs.create_run(claim_step(run, T0, timedelta(seconds=60)))  # a request claimed the write, then died
    assert runs_service.resume("ws-1", "inc-1", run.id).steps[2].status is StepStatus.RUNNING
    assert steps.done == []
    clock.now = T0 + timedelta(seconds=61)
    resumed = runs_service.resume("ws-1", "inc-1", run.id)
    assert resumed.steps[2].status is StepStatus.WAITING_APPROVAL and steps.done == [("act", 2, 2)]


def test_a_pass_starts_no_read_or_write_once_its_time_is_spent() -> None:
    steps, runs, clock = Steps(), Runs(), Clock()
    run = service(steps, runs, clock, budget=0).start("ws-1", "inc-1", "restart-it", "alice")
    assert run.status is RunStatus.RUNNING and run.cursor == 0 and steps.done == []
    relaxed = service(steps, runs, clock).resume("ws-1", "inc-1", run.id)
    assert relaxed.status is RunStatus.WAITING_APPROVAL


def test_an_idempotency_key_answers_the_same_run() -> None:
    steps, runs, clock = Steps(), Runs(), Clock()
    runs_service = service(steps, runs, clock)
    first = runs_service.start("ws-1", "inc-1", "restart-it", "alice", idempotency_key="k")
    again = runs_service.start("ws-1", "inc-1", "restart-it", "alice", idempotency_key="k")
    assert again.id == first.id and len(runs.runs) == 1 and len(steps.done) == 2

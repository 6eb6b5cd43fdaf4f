"""A run's history read back: each step's status and output (events linked to their state by previousEventId,
Parallel branches interleaved, Map iterations apart), and what a failed run undoes, newest write first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aisre.workflows.model.definition import WorkflowStep
from aisre.workflows.model.history import cause_text, failure_name, plan_compensation, run_view
from aisre.workflows.model.runs import RunStatus, StepStatus

T0 = datetime(2026, 1, 1, tzinfo=UTC)

STEPS = (
    WorkflowStep(name="inspect_pod", step_type="inspect_pod", order=1),
    WorkflowStep(name="scale_up", step_type="scale_deployment", order=2, config={"replicas": "+1"}),
    WorkflowStep(name="propose", step_type="suggest_config_fix", order=2),
    WorkflowStep(name="restart_pod", step_type="restart_pod", order=3),
    WorkflowStep(name="verify", step_type="check_deployment", order=4),
)


class History:
    """Events as GetExecutionHistory lists them: ids in order, each linked to the one it follows."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, kind: str, after: int, **details: Any) -> int:
        event_id = len(self.events) + 1
        event: dict[str, Any] = {
            "id": event_id,
            "previousEventId": after,
            "type": kind,
            "timestamp": T0 + timedelta(seconds=event_id),
        }
        if details:
            if kind.endswith("StateEntered"):
                key = "stateEnteredEventDetails"
            elif kind.endswith("StateExited"):
                key = "stateExitedEventDetails"
            elif kind == "MapIterationStarted":
                key = "mapIterationStartedEventDetails"
            else:
                key = kind[0].lower() + kind[1:] + "EventDetails"
            event[key] = details
        self.events.append(event)
        return event_id

    def task(self, name: str, after: int, output: Any = None, *, error: str | None = None, cause: str = "") -> int:
        """A Lambda Task state: entered, scheduled, started, then succeeded with `output` or failed."""
        entered = self.add("TaskStateEntered", after, name=name, input="{}")
        scheduled = self.add("TaskScheduled", entered, resource="invoke")
        started = self.add("TaskStarted", scheduled)
        if error:
            return self.add("TaskFailed", started, error=error, cause=cause)
        done = self.add("TaskSucceeded", started, output=json.dumps({"StatusCode": 200, "Payload": output}))
        return self.add("TaskStateExited", done, name=name, output="{}")

    def gate(
        self, name: str, after: int, approval_id: str, decision: dict[str, Any] | None = None, **failed: str
    ) -> int:
        entered = self.add("TaskStateEntered", after, name=name, input="{}")
        scheduled = self.add("TaskScheduled", entered, resource="invoke.waitForTaskToken")
        started = self.add("TaskStarted", scheduled)
        submitted = self.add(
            "TaskSubmitted", started, output=json.dumps({"Payload": {"approval_id": approval_id, "status": "pending"}})
        )
        if decision is not None:
            done = self.add("TaskSucceeded", submitted, output=json.dumps(decision))
            return self.add("TaskStateExited", done, name=name, output="{}")
        if failed:
            done = self.add("TaskFailed", submitted, error=failed["error"], cause=failed.get("cause", ""))
            return self.add("TaskStateExited", done, name=name, output="{}")
        return submitted


def scaled(replicas_before: int = 2) -> dict[str, Any]:
    return {
        "step": "scale_up",
        "step_type": "scale_deployment",
        "outcome": {
            "status": "success",
            "action": "scale_deployment",
            "namespace": "shop",
            "deployment_name": "checkout",
            "replicas": replicas_before + 1,
            "dry_run": False,
            "details": {"current_replicas": replicas_before},
        },
    }


def started_through_scale(history: History) -> tuple[int, int]:
    """inspect_pod, then a Parallel of scale_up (approved, done) and propose (done, interleaved)."""
    last = history.task("inspect_pod", 0, {"step": "inspect_pod", "oom_killed": True})
    layer = history.add("ParallelStateEntered", last, name="Layer 2", input="{}")
    branches = history.add("ParallelStateStarted", layer)
    mode = history.add("ChoiceStateEntered", branches, name="scale_up#mode", input="{}")
    propose_entered = history.add("TaskStateEntered", branches, name="propose", input="{}")
    gate = history.gate("scale_up#approval", mode, "apr-1", {"approval_id": "apr-1", "decided_by": "bob"})
    scheduled = history.add("TaskScheduled", propose_entered)
    started = history.add("TaskStarted", scheduled)
    advice = {"step": "propose", "step_type": "suggest_config_fix", "outcome": {"status": "success", "dry_run": True}}
    done = history.add("TaskSucceeded", started, output=json.dumps({"Payload": advice}))
    history.add("TaskStateExited", done, name="propose", output="{}")
    scale = history.task("scale_up", gate, scaled())
    exited = history.add("ParallelStateExited", scale, name="Layer 2", output="{}")
    return exited, scale


def test_a_run_waiting_for_an_approval_shows_the_step_waiting_with_the_approval_id():
    history = History()
    after, _ = started_through_scale(history)
    history.add("ChoiceStateEntered", after, name="restart_pod#mode", input="{}")
    history.gate("restart_pod#approval", len(history.events), "apr-2")
    view = run_view(STEPS, {"status": "RUNNING", "startDate": T0}, history.events)
    assert view.status is RunStatus.WAITING_APPROVAL
    by_name = {step.name: step for step in view.steps}
    assert by_name["inspect_pod"].status is StepStatus.SUCCEEDED and by_name["inspect_pod"].output["oom_killed"]
    assert by_name["scale_up"].status is StepStatus.SUCCEEDED
    assert (by_name["scale_up"].approval_id, by_name["scale_up"].approved_by) == ("apr-1", "bob")
    assert by_name["scale_up"].output["outcome"]["replicas"] == 3
    assert by_name["propose"].status is StepStatus.SUCCEEDED
    assert (
        by_name["restart_pod"].status is StepStatus.WAITING_APPROVAL and by_name["restart_pod"].approval_id == "apr-2"
    )
    assert by_name["verify"].status is StepStatus.PENDING


def test_a_rejected_run_shows_the_rejection_and_the_compensation_of_each_undone_step():
    history = History()
    after, _ = started_through_scale(history)
    mode = history.add("ChoiceStateEntered", after, name="restart_pod#mode", input="{}")
    rejected = history.gate(
        "restart_pod#approval", mode, "apr-2", error="ApprovalRejected", cause="approval apr-2 was rejected by bob"
    )
    events = list(history.events)
    plan = plan_compensation(events, {"Error": "ApprovalRejected", "Cause": "approval apr-2 was rejected by bob"})
    assert plan.undo == [
        {
            "step": "scale_up",
            "action": "scale_deployment",
            "arguments": {"namespace": "shop", "deployment_name": "checkout", "replicas": 2},
        }
    ]
    assert plan.error == "ApprovalRejected"
    assert plan.cause == "step restart_pod: approval apr-2 was rejected by bob"

    compensate = history.task("Compensate", rejected, {"undo": plan.undo, "error": plan.error, "cause": plan.cause})
    map_entered = history.add("MapStateEntered", compensate, name="Undo", input="{}")
    iteration = history.add("MapIterationStarted", map_entered, name="Undo", index=0)
    undone = {"undo_of": "scale_up", "outcome": {"status": "success", "replicas": 2}}
    history.task("Undo step", iteration, undone)
    history.add("ExecutionFailed", len(history.events), error=plan.error, cause=plan.cause)
    execution = {"status": "FAILED", "startDate": T0, "stopDate": T0, "error": plan.error, "cause": plan.cause}
    view = run_view(STEPS, execution, history.events)
    assert view.status is RunStatus.FAILED and view.compensated is True
    assert (view.error, view.message) == ("ApprovalRejected", plan.cause)
    by_name = {step.name: step for step in view.steps}
    assert by_name["restart_pod"].status is StepStatus.REJECTED
    assert by_name["restart_pod"].message == "approval apr-2 was rejected by bob"
    assert by_name["verify"].status is StepStatus.SKIPPED
    undo = by_name["scale_up"].compensation
    assert undo is not None and undo.status is StepStatus.SUCCEEDED and undo.arguments["replicas"] == 2
    assert undo.output == undone


def test_only_real_writes_that_can_be_undone_are_compensated_newest_first():
    history = History()
    last = history.task("scale_up", 0, scaled(2))
    restart = {"step": "restart_pod", "step_type": "restart_pod", "outcome": {"status": "success", "dry_run": False}}
    last = history.task("restart_pod", last, restart)  # a deleted pod cannot be put back
    dry = {**scaled(5), "step": "dry"}
    dry["outcome"] = {**dry["outcome"], "dry_run": True}
    last = history.task("dry", last, dry)  # a dry run wrote nothing
    rollback = {
        "step": "roll",
        "step_type": "rollback_deployment",
        "outcome": {"status": "success", "dry_run": False, "namespace": "shop", "deployment_name": "checkout"},
    }
    last = history.task("roll", last, rollback)
    skipped = {**rollback, "step": "noop"}
    skipped["outcome"] = {**rollback["outcome"], "details": {"no_op": "skipped rollback"}}
    last = history.task("noop", last, skipped)
    history.task("verify", last, error="WorkloadUnhealthyError", cause=json.dumps({"errorMessage": "not healthy"}))
    plan = plan_compensation(history.events, {"Error": "WorkloadUnhealthyError", "Cause": "{}"})
    assert [(item["step"], item["action"]) for item in plan.undo] == [
        ("roll", "rollback_deployment"),
        ("scale_up", "scale_deployment"),
    ]
    assert plan.error == "WorkloadUnhealthyError" and plan.cause.startswith("step verify")


def test_step_functions_own_errors_end_a_run_under_a_name_of_ours():
    assert failure_name("States.Timeout", "restart_pod#approval") == "ApprovalExpired"
    assert failure_name("States.Timeout", "verify") == "StepTimedOut"
    assert failure_name("States.TaskFailed", "x") == "WorkflowStepFailed"
    assert failure_name("PolicyRefusedError", "x") == "PolicyRefusedError"
    assert failure_name("not a name!", "x") == "WorkflowStepFailed"


def test_a_functions_error_says_its_message_never_its_stack_trace():
    cause = json.dumps({"errorType": "X", "errorMessage": "pod not found", "stackTrace": ["File secret.py"]})
    assert cause_text(cause) == "pod not found"
    assert cause_text("plain words") == "plain words" and cause_text(None) == ""
    assert len(cause_text("x" * 10_000)) == 2000


def test_a_failed_step_after_its_retries_is_failed_and_one_still_retrying_is_running():
    history = History()
    failed = history.task("inspect_pod", 0, error="WorkflowStepFailedError", cause='{"errorMessage": "no such pod"}')
    running = run_view(STEPS, {"status": "RUNNING"}, history.events)
    assert running.steps[0].status is StepStatus.RUNNING  # it may be retried
    history.add("TaskStateExited", failed, name="inspect_pod", output="{}")
    view = run_view(STEPS, {"status": "FAILED"}, history.events)
    assert view.steps[0].status is StepStatus.FAILED and view.steps[0].message == "no such pod"
    assert view.steps[0].error == "WorkflowStepFailedError"

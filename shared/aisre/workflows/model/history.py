"""What an execution's history says: each step's status and output (a run's status), and what to undo when a
run fails (its compensation). Both read the events as GetExecutionHistory gives them; every event names its
state through its chain of previousEventId (Parallel branches interleave, and Map iterations share a state)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aisre.workflows.model.catalog import STEP_TYPES, Undo
from aisre.workflows.model.compiler import APPROVAL, COMPENSATE, DRY_RUN, MODE, UNDO_STEP
from aisre.workflows.model.definition import WorkflowStep
from aisre.workflows.model.runs import RunStatus, RunView, StepStatus, StepView, UndoView

Event = Mapping[str, Any]

MESSAGE_LENGTH = 2000
_ERROR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,127}$")
_EXECUTION_STATUS = {
    "RUNNING": RunStatus.RUNNING,
    "SUCCEEDED": RunStatus.SUCCEEDED,
    "FAILED": RunStatus.FAILED,
    "TIMED_OUT": RunStatus.TIMED_OUT,
    "ABORTED": RunStatus.ABORTED,
}


@dataclass
class _State:
    """One state's part of the history (one iteration's, for a Map's states)."""

    entered_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    last: str = ""  # the last Task event: Scheduled, Submitted, Succeeded, Failed, TimedOut
    exited: bool = False
    succeeded_id: int = 0
    output: Any = None
    submitted: Any = None
    error: str | None = None
    cause: str | None = None
    input: Any = None


@dataclass
class _History:
    states: dict[tuple[str, int | None], _State] = field(default_factory=dict)
    # The state that failed last, and how: what a failed run's compensation reports.
    last_failure: tuple[str, str, str] | None = None


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _payload(output: Any) -> Any:
    """A Lambda Task's result is its invocation's answer: the function's own is its Payload."""
    return output.get("Payload") if isinstance(output, dict) and "Payload" in output else output


def _details(event: Event) -> Mapping[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


def _read(events: Sequence[Event]) -> _History:
    names: dict[int, str] = {}
    iterations: dict[int, int | None] = {}
    history = _History()
    for event in events:
        kind, event_id = str(event.get("type", "")), int(event.get("id", 0))
        previous = int(event.get("previousEventId") or 0)
        details = _details(event)
        if kind.endswith("StateEntered") or kind.endswith("StateExited"):
            names[event_id] = str(details.get("name", ""))
        else:
            names[event_id] = names.get(previous, "")
        iterations[event_id] = int(details["index"]) if kind == "MapIterationStarted" else iterations.get(previous)
        state = history.states.setdefault((names[event_id], iterations[event_id]), _State())
        moment = event.get("timestamp") if isinstance(event.get("timestamp"), datetime) else None
        if kind.endswith("StateEntered"):
            state.entered_at = state.entered_at or moment
            state.input = _json(details.get("input"))
        elif kind.endswith("StateExited"):
            state.exited = True
            state.finished_at = moment
        elif kind.startswith("Task"):
            state.last = kind.removeprefix("Task")
            if kind == "TaskScheduled":
                state.attempts += 1
            elif kind == "TaskSubmitted":
                state.submitted = _payload(_json(details.get("output")))
            elif kind == "TaskSucceeded":
                state.output, state.succeeded_id = _payload(_json(details.get("output"))), event_id
                state.finished_at = moment
            elif kind in ("TaskFailed", "TaskTimedOut"):
                state.error = str(details.get("error") or ("States.Timeout" if kind == "TaskTimedOut" else ""))
                state.cause = details.get("cause")
                state.finished_at = moment
                history.last_failure = (names[event_id], state.error, str(state.cause or ""))
    return history


def cause_text(cause: Any) -> str:
    """A failure's cause in words: a function error's own message (never its stack trace), bounded."""
    parsed = _json(cause)
    if isinstance(parsed, dict):
        text = str(parsed.get("errorMessage") or parsed.get("Cause") or parsed.get("cause") or "")
    else:
        text = str(parsed or "")
    return text[:MESSAGE_LENGTH]


def step_of_state(state_name: str) -> str:
    """The step a state belongs to (`scale_up#approval` -> `scale_up`)."""
    return state_name.split("#", 1)[0]


# -- a run's status --------------------------------------------------------------------------------------------


def _step_view(step: WorkflowStep, history: _History, run_over: bool, undo: UndoView | None) -> StepView:
    def part(suffix: str) -> _State:
        return history.states.get((step.name + suffix, None), _State())

    main, gate, dry = part(""), part(APPROVAL), part(DRY_RUN)
    parts = [part(MODE), gate, main, dry]
    entered = [p.entered_at for p in parts if p.entered_at]
    base: dict[str, Any] = {
        "name": step.name,
        "step_type": step.step_type,
        "started_at": min(entered) if entered else None,
        "attempts": main.attempts + dry.attempts,
        "compensation": undo,
    }
    decision = gate.output if isinstance(gate.output, dict) else {}
    if gate.submitted or decision:
        asked = gate.submitted if isinstance(gate.submitted, dict) else {}
        base["approval_id"] = decision.get("approval_id") or asked.get("approval_id")
        base["approved_by"] = decision.get("decided_by")
    done = next((p for p in (main, dry) if p.last == "Succeeded"), None)
    if done is not None:
        output = done.output if isinstance(done.output, dict) else {"value": done.output}
        return StepView(status=StepStatus.SUCCEEDED, finished_at=done.finished_at, output=output, **base)
    failed = next((p for p in (main, dry, gate) if p.last in ("Failed", "TimedOut") and (p.exited or run_over)), None)
    if failed is not None:
        if failed is gate and failed.error == "ApprovalRejected":
            status = StepStatus.REJECTED
        elif failed is gate and failed.error == "States.Timeout":
            status = StepStatus.EXPIRED
        else:
            status = StepStatus.FAILED
        message = cause_text(failed.cause)
        return StepView(
            status=status, finished_at=failed.finished_at, error=failed.error, message=message or None, **base
        )
    if gate.last == "Submitted" and not run_over:
        return StepView(status=StepStatus.WAITING_APPROVAL, **base)
    if entered:
        return StepView(status=StepStatus.CANCELLED if run_over else StepStatus.RUNNING, **base)
    return StepView(status=StepStatus.SKIPPED if run_over else StepStatus.PENDING, **base)


def _undo_views(history: _History) -> dict[str, UndoView]:
    """Each undone step's compensation, by step name: the plan's items and the Map iteration that ran each."""
    planned = history.states.get((COMPENSATE, None), _State()).output
    items = planned.get("undo") if isinstance(planned, dict) else None
    found: dict[str, UndoView] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        ran = history.states.get((UNDO_STEP, index), _State())
        if ran.last == "Succeeded":
            status, output = StepStatus.SUCCEEDED, ran.output if isinstance(ran.output, dict) else None
        elif ran.last in ("Failed", "TimedOut") and ran.exited:
            status, output = StepStatus.FAILED, None
        else:
            status, output = (StepStatus.RUNNING if ran.entered_at else StepStatus.PENDING), None
        found[str(item.get("step"))] = UndoView(
            action=str(item.get("action")),
            arguments=dict(item.get("arguments") or {}),
            status=status,
            output=output,
            error=ran.error if status is StepStatus.FAILED else None,
            message=cause_text(ran.cause) or None if status is StepStatus.FAILED else None,
        )
    return found


def run_view(
    steps: Sequence[WorkflowStep], execution: Mapping[str, Any], events: Sequence[Event], *, truncated: bool = False
) -> RunView:
    """The run as its execution (DescribeExecution) and history (GetExecutionHistory) show it."""
    history = _read(events)
    status = _EXECUTION_STATUS.get(str(execution.get("status")), RunStatus.UNKNOWN)
    undo = _undo_views(history)
    views = [_step_view(step, history, status.finished, undo.get(step.name)) for step in steps]
    if status is RunStatus.RUNNING and any(view.status is StepStatus.WAITING_APPROVAL for view in views):
        status = RunStatus.WAITING_APPROVAL
    compensated = None
    if status is RunStatus.FAILED and (COMPENSATE, None) in history.states:
        compensated = all(item.status is StepStatus.SUCCEEDED for item in undo.values())
    return RunView(
        status=status,
        started_at=execution.get("startDate"),
        finished_at=execution.get("stopDate"),
        steps=views,
        error=execution.get("error"),
        message=cause_text(execution.get("cause")) or None,
        compensated=compensated,
        history_truncated=truncated,
    )


# -- compensation ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compensation:
    """What to undo, newest write first, and the failure the run ends with (an error name of ours)."""

    undo: list[dict[str, Any]]
    error: str
    cause: str


def _undo_of(step_name: str, output: Mapping[str, Any]) -> dict[str, Any] | None:
    spec = STEP_TYPES.get(str(output.get("step_type")))
    outcome = output.get("outcome")
    if spec is None or spec.undo is None or not isinstance(outcome, Mapping):
        return None
    if outcome.get("status") != "success" or outcome.get("dry_run") is not False:
        return None
    if (outcome.get("details") or {}).get("no_op"):
        return None  # nothing was written
    target = {"namespace": outcome.get("namespace"), "deployment_name": outcome.get("deployment_name")}
    if spec.undo is Undo.SCALE_BACK:
        before = (outcome.get("details") or {}).get("current_replicas")
        if not isinstance(before, int):
            return None  # taken over from an abandoned attempt: the count before is not known
        return {"step": step_name, "action": "scale_deployment", "arguments": {**target, "replicas": before}}
    return {"step": step_name, "action": "rollback_deployment", "arguments": target}


def failure_name(error: str, state_name: str) -> str:
    """The error a failed run ends with: ours as raised (ApprovalRejected, PolicyRefusedError...); Step Functions'
    own (States.*), which a Fail state may not name, as ApprovalExpired, StepTimedOut or WorkflowStepFailed."""
    if error == "States.Timeout":
        return "ApprovalExpired" if state_name.endswith(APPROVAL) else "StepTimedOut"
    if error.startswith("States.") or not _ERROR_NAME.match(error):
        return "WorkflowStepFailed"
    return error


def plan_compensation(events: Sequence[Event], failure: Mapping[str, Any]) -> Compensation:
    """The writes of this run that can be undone, newest first (from the Tasks that carried them out), and the
    failure named and said for the run's end."""
    history = _read(events)
    done = []
    for (name, iteration), state in history.states.items():
        output = state.output
        if iteration is not None or state.last != "Succeeded" or not isinstance(output, Mapping):
            continue
        if output.get("step") != name:  # only a step's own state, not an undo of it
            continue
        undo = _undo_of(name, output)
        if undo is not None:
            done.append((state.succeeded_id, undo))
    failed_state, _error, _cause = history.last_failure or ("", "", "")
    error = failure_name(str(failure.get("Error") or "WorkflowStepFailed"), failed_state)
    message = cause_text(failure.get("Cause"))
    step = step_of_state(failed_state)
    if step and step[:1].islower():
        message = f"step {step}: {message}" if message else f"step {step} failed ({error})"
    return Compensation(
        undo=[undo for _, undo in sorted(done, key=lambda pair: pair[0], reverse=True)],
        error=error,
        cause=message or error,
    )

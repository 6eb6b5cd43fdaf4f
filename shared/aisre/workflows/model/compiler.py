"""A workflow compiled to Amazon States Language: the same function for the built-ins (their definitions in
infra/statemachines/ are this function's output, checked by a test) and for a workspace's own workflows.

The shape, for steps in layers (definition.layers):
- a layer of one step is its states inline; a layer of several is a Parallel state, a branch per step;
- a read or check step is one Task of the workflow-steps function (read-only identity);
- an action is a Task of the actions function (ActionService, the policy); one that writes is preceded by a
  Choice on the run's dry_run: a dry run goes to `<step>#dry_run` (reads and policy, no write), a real run to
  `<step>#approval`, a `.waitForTaskToken` Task that stores an approval request with the token and waits until
  a person approves (SendTaskSuccess: the write then runs under that approval, once) or rejects
  (SendTaskFailure, ApprovalRejected), or the approval expires (States.Timeout);
- any failure goes to Compensate: the workflow-steps function reads the run's history and lists what to undo
  (writes that can be undone, newest first); Undo carries each out through the actions function; the run then
  fails with the failure's error and cause.

The run's state is {"run": {...}, "context": {...}}: steps share the run's context, not each other's outputs
(every Task's ResultPath is null, save the approval's), so a Parallel's branches need no merging and the state
stays small; each step's output is in the execution history, which is what the run's status shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aisre.workflows.model.catalog import StepKind
from aisre.workflows.model.definition import WorkflowStep, layers

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"

# Structural states are capitalised: step names are lowercase (definition.STEP_NAME), so they never collide.
COMPENSATE, UNDO, UNDO_STEP, FAILED, SUCCEEDED = "Compensate", "Undo", "Undo step", "Failed", "Succeeded"
COMPENSATION_FAILED = "Compensation failed"
APPROVAL, DRY_RUN, MODE = "#approval", "#dry_run", "#mode"

# Errors worth trying again: our storage's, an execution another attempt holds, Lambda's own.
TRANSIENT = [
    "StorageError",
    "DependencyUnavailableError",
    "ExecutionInProgressError",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
_RETRY_TRANSIENT = {
    "ErrorEquals": TRANSIENT,
    "IntervalSeconds": 1,
    "MaxAttempts": 3,
    "BackoffRate": 2.0,
    "JitterStrategy": "FULL",
}
# A spent rate limit frees a slot within its window: wait a little, twice.
_RETRY_RATE_LIMIT = {
    "ErrorEquals": ["ActionRateLimitedError"],
    "IntervalSeconds": 15,
    "MaxAttempts": 2,
    "BackoffRate": 2.0,
}
# A check waits for the workload: about 90 s in all (2 + 3 + 4.5 + ... seconds between the reads).
_RETRY_UNHEALTHY = {
    "ErrorEquals": ["WorkloadUnhealthyError"],
    "IntervalSeconds": 2,
    "MaxAttempts": 7,
    "BackoffRate": 1.5,
}


@dataclass(frozen=True)
class Targets:
    """The functions the Tasks invoke: ARNs, or `${...}` placeholders that the template substitutes."""

    actions_function: str
    steps_function: str


BUILTIN_TARGETS = Targets("${ActionsFunctionArn}", "${WorkflowStepsFunctionArn}")


def _step_spec(step: WorkflowStep) -> dict[str, Any]:
    return {"name": step.name, "type": step.step_type, "config": dict(step.config)}


def _task(
    function: str, payload: dict[str, Any], retry: list[dict[str, Any]], *, callback: bool = False
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": LAMBDA_CALLBACK if callback else LAMBDA_INVOKE,
        "Parameters": {"FunctionName": function, "Payload": payload},
        "ResultPath": None,
        "Retry": retry,
    }
    return state


def _step_states(step: WorkflowStep, targets: Targets) -> tuple[str, dict[str, dict[str, Any]], list[str]]:
    """(its first state, its states, the states that end it) of one step."""
    spec = step.type
    common = {"run.$": "$.run", "context.$": "$.context", "step": _step_spec(step)}
    if spec.kind is not StepKind.ACTION:
        retry = [_RETRY_TRANSIENT] + ([_RETRY_UNHEALTHY] if spec.kind is StepKind.CHECK else [])
        state = _task(targets.steps_function, {"task": step.step_type, **common}, retry)
        return step.name, {step.name: state}, [step.name]
    retry = [_RETRY_TRANSIENT, _RETRY_RATE_LIMIT]
    act = _task(targets.actions_function, {"workflow": {"task": "action", **common}}, retry)
    if not spec.writes:
        return step.name, {step.name: act}, [step.name]
    gate = _task(
        targets.actions_function,
        {"workflow": {"task": "approval", "token.$": "$$.Task.Token", **common}},
        [_RETRY_TRANSIENT],  # a new attempt gets a new token: the approval (keyed by run and step) takes it
        callback=True,
    )
    gate.update({"TimeoutSecondsPath": "$.run.approval_timeout_seconds", "ResultPath": "$.approval"})
    gate["Next"] = step.name
    approved = dict(act)
    approved["Parameters"] = {
        "FunctionName": targets.actions_function,
        "Payload": {"workflow": {"task": "action", **common, "approval_id.$": "$.approval.approval_id"}},
    }
    mode = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.run.dry_run", "BooleanEquals": True, "Next": step.name + DRY_RUN}],
        "Default": step.name + APPROVAL,
    }
    states = {step.name + MODE: mode, step.name + APPROVAL: gate, step.name: approved, step.name + DRY_RUN: act}
    return step.name + MODE, states, [step.name, step.name + DRY_RUN]


def _link(states: dict[str, dict[str, Any]], ends: list[str], following: str | None) -> None:
    for name in ends:
        if following is None:
            states[name]["End"] = True
        else:
            states[name]["Next"] = following


_CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": COMPENSATE}]


def compile_workflow(steps: Sequence[WorkflowStep], targets: Targets, *, comment: str = "") -> dict[str, Any]:
    """The ASL definition of a workflow whose steps passed check_workflow."""
    states: dict[str, dict[str, Any]] = {}
    plan = layers(steps)
    entries: list[str] = []
    pending_ends: list[str] = []
    for index, layer in enumerate(plan):
        if len(layer) == 1:
            first, own, ends = _step_states(layer[0], targets)
            for state in own.values():
                if state["Type"] == "Task":
                    state["Catch"] = _CATCH
        else:
            branches = []
            for step in layer:
                first_in_branch, own, branch_ends = _step_states(step, targets)
                _link(own, branch_ends, None)
                branches.append({"StartAt": first_in_branch, "States": own})
            first = f"Layer {index + 1}"
            own = {first: {"Type": "Parallel", "Branches": branches, "ResultPath": None, "Catch": _CATCH}}
            ends = [first]
        entries.append(first)
        _link(states, pending_ends, first)
        states.update(own)
        pending_ends = ends
    _link(states, pending_ends, SUCCEEDED)
    states.update(_compensation(targets))
    definition: dict[str, Any] = {"Comment": comment} if comment else {}
    definition["StartAt"] = entries[0] if entries else SUCCEEDED
    definition["States"] = states
    return definition


def _compensation(targets: Targets) -> dict[str, dict[str, Any]]:
    plan = _task(
        targets.steps_function,
        {"task": "plan_compensation", "run.$": "$.run", "failure.$": "$.failure", "execution_arn.$": "$$.Execution.Id"},
        [_RETRY_TRANSIENT],
    )
    plan.update(
        {
            "ResultSelector": {"undo.$": "$.Payload.undo", "error.$": "$.Payload.error", "cause.$": "$.Payload.cause"},
            "ResultPath": "$.compensation",
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.compensation_failure", "Next": COMPENSATION_FAILED}
            ],
            "Next": UNDO,
        }
    )
    undo_step = _task(
        targets.actions_function,
        {"workflow": {"task": "undo", "run.$": "$.run", "undo.$": "$.undo"}},
        [_RETRY_TRANSIENT, _RETRY_RATE_LIMIT],
    )
    undo_step["End"] = True
    return {
        COMPENSATE: plan,
        UNDO: {
            "Type": "Map",
            "ItemsPath": "$.compensation.undo",
            "MaxConcurrency": 1,  # newest first, one at a time: the reverse of how they were done
            "ItemSelector": {"run.$": "$.run", "undo.$": "$$.Map.Item.Value"},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": UNDO_STEP,
                "States": {UNDO_STEP: undo_step},
            },
            "ResultPath": None,
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.compensation_failure", "Next": COMPENSATION_FAILED}
            ],
            "Next": FAILED,
        },
        # The failure's own error (a Fail state may not name States.*: plan_compensation gives a name of ours).
        FAILED: {"Type": "Fail", "ErrorPath": "$.compensation.error", "CausePath": "$.compensation.cause"},
        COMPENSATION_FAILED: {
            "Type": "Fail",
            "Error": "CompensationFailed",
            "CausePath": "$.compensation_failure.Cause",
        },
        SUCCEEDED: {"Type": "Succeed"},
    }

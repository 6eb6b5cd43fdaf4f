"""The local stack runs Step Functions state machines from the template, Task states invoking the
functions' own handlers in-process, with Retry/Catch matching the handlers' error class names."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from aisre.local.stack import LocalStack

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  GatherFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: steps.gather, Runtime: python3.12, Timeout: 10}
  FlakyFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: steps.flaky, Runtime: python3.12, Timeout: 10}
  RecordFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: steps.record, Runtime: python3.12, Timeout: 10}
  Investigation:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sm/investigation.asl.json
      DefinitionSubstitutions:
        GatherArn: !GetAtt GatherFunction.Arn
        FlakyArn: !GetAtt FlakyFunction.Arn
        RecordArn: !GetAtt RecordFunction.Arn
"""

DEFINITION = {
    "StartAt": "Gather",
    "States": {
        "Gather": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Cluster",
                    "States": {"Cluster": {"Type": "Task", "Resource": "${GatherArn}", "End": True}},
                },
                {
                    "StartAt": "Logs",
                    "States": {
                        "Logs": {
                            "Type": "Task",
                            "Resource": "${FlakyArn}",
                            "Retry": [{"ErrorEquals": ["StorageError"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Noted"}],
                            "End": True,
                        },
                        "Noted": {"Type": "Pass", "End": True},
                    },
                },
            ],
            "Next": "Record",
        },
        "Record": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${RecordArn}", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "End": True,
        },
    },
}

HANDLERS = """\
import json
from pathlib import Path
from typing import Any

CALLS = Path({calls!r})


class StorageError(Exception):
    pass


def _note(name):
    with CALLS.open("a") as f:
        f.write(name + "\\n")


def gather(event, context):
    _note("gather")
    return {{"pods": ["api-1"], "incident_id": event["incident_id"], "function": context.function_name}}


def flaky(event, context):
    _note("flaky")
    raise StorageError("logs store unavailable")


def record(event, context):
    _note("record")
    return {{"recorded": event}}
"""


def test_state_machine_from_the_template_runs_in_process_handlers(tmp_path: Path):
    calls = tmp_path / "calls.txt"
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "steps.py").write_text(HANDLERS.format(calls=str(calls)))
    (tmp_path / "sm").mkdir()
    (tmp_path / "sm" / "investigation.asl.json").write_text(json.dumps(DEFINITION))

    with LocalStack(tmp_path, stack_name="sfn-test") as stack:
        states = boto3.client("stepfunctions", endpoint_url=stack.endpoint_url, region_name="us-east-1")
        machine = stack.resources.physical_id("Investigation")
        execution = states.start_execution(stateMachineArn=machine, input=json.dumps({"incident_id": "inc-1"}))
        deadline = time.monotonic() + 30
        while (described := states.describe_execution(executionArn=execution["executionArn"]))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "execution did not finish"
            time.sleep(0.1)

    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    cluster, logs = output["recorded"]
    assert cluster == {"pods": ["api-1"], "incident_id": "inc-1", "function": "sfn-test-GatherFunction"}
    # The handler's exception class is the error name Retry and Catch match on, as in AWS.
    assert logs["failure"]["Error"] == "StorageError"
    assert json.loads(logs["failure"]["Cause"])["errorMessage"] == "logs store unavailable"
    assert sorted(calls.read_text().split()) == ["flaky", "flaky", "gather", "record"]  # one retry of flaky


CALLBACK_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  GateFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: gate.handler, Runtime: python3.12, Timeout: 10}
  Gated:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sm/gated.asl.json
      DefinitionSubstitutions:
        GateArn: !GetAtt GateFunction.Arn
"""

CALLBACK_DEFINITION = {
    "StartAt": "Wait",
    "States": {
        "Wait": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "${GateArn}", "Payload": {"name.$": "$.name", "token.$": "$$.Task.Token"}},
            "TimeoutSecondsPath": "$.timeout",
            "ResultPath": "$.decision",
            # A timeout is not caught: the execution fails with States.Timeout, as a Fail state may not name it.
            "Catch": [{"ErrorEquals": ["ApprovalRejected"], "ResultPath": "$.failure", "Next": "Refused"}],
            "End": True,
        },
        "Refused": {"Type": "Fail", "ErrorPath": "$.failure.Error", "CausePath": "$.failure.Cause"},
    },
}

GATE = """\
from pathlib import Path
from typing import Any

def handler(event, context):
    Path({folder!r}, event["name"]).write_text(event["token"])
    return {{"stored": True}}
"""


def test_a_task_waits_for_its_token_and_send_task_success_or_failure_resumes_it(tmp_path: Path):
    """`.waitForTaskToken` on the local stack: the Task's function gets the token and returns; the execution waits
    until SendTaskSuccess (its output is the task's result) or SendTaskFailure (error and cause, as AWS keeps them:
    moto_patches.task_failure_cause), or the task's timeout."""
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    (tmp_path / "template.yaml").write_text(CALLBACK_TEMPLATE)
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "gate.py").write_text(GATE.format(folder=str(tokens)))
    (tmp_path / "sm").mkdir()
    (tmp_path / "sm" / "gated.asl.json").write_text(json.dumps(CALLBACK_DEFINITION))

    with LocalStack(tmp_path, stack_name="sfn-callback-test") as stack:
        states = boto3.client("stepfunctions", endpoint_url=stack.endpoint_url, region_name="us-east-1")
        machine = stack.resources.physical_id("Gated")

        def start(name: str, timeout: int) -> str:
            payload = json.dumps({"name": name, "timeout": timeout})
            arn: str = states.start_execution(stateMachineArn=machine, name=name, input=payload)["executionArn"]
            return arn

        def token_of(name: str) -> str:
            deadline = time.monotonic() + 20
            while not (tokens / name).exists():
                assert time.monotonic() < deadline, "the task's function never got its token"
                time.sleep(0.05)
            return (tokens / name).read_text()

        def ended(arn: str) -> dict[str, Any]:
            deadline = time.monotonic() + 20
            while (described := states.describe_execution(executionArn=arn))["status"] == "RUNNING":
                assert time.monotonic() < deadline, "execution did not finish"
                time.sleep(0.05)
            return described

        approved = start("approved", 30)
        token = token_of("approved")
        time.sleep(0.3)
        assert states.describe_execution(executionArn=approved)["status"] == "RUNNING"  # it waits
        states.send_task_success(taskToken=token, output=json.dumps({"decided_by": "bob"}))
        done = ended(approved)
        assert done["status"] == "SUCCEEDED"
        assert json.loads(done["output"])["decision"] == {"decided_by": "bob"}
        with pytest.raises(states.exceptions.InvalidToken):  # a token is used once
            states.send_task_success(taskToken=token, output="{}")

        rejected = start("rejected", 30)
        states.send_task_failure(taskToken=token_of("rejected"), error="ApprovalRejected", cause="rejected by bob")
        failed = ended(rejected)
        assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "ApprovalRejected", "rejected by bob")

        lapsed = start("lapsed", 1)
        token_of("lapsed")
        timed_out = ended(lapsed)
        assert (timed_out["status"], timed_out["error"]) == ("FAILED", "States.Timeout")

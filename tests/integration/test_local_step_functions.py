"""The local stack runs Step Functions state machines from the template, Task states invoking the
functions' own handlers in-process, with Retry/Catch matching the handlers' error class names."""

from __future__ import annotations

import json
import time
from pathlib import Path

import boto3

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

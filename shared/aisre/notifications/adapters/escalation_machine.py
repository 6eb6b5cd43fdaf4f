"""EscalationMachine on Step Functions (boto3 loaded on first use): one execution of the escalation state machine
per incident, named from it, so that a second start is a no-op; stopped when the incident is acknowledged or
resolved. On the local stack the emulator runs it, its Page Task invoking the notifications function in-process."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from typing import Any


class StepFunctionsEscalations:
    def __init__(self, region: str, endpoint_url: str | None, state_machine_arn: str):
        self._region = region
        self._endpoint_url = endpoint_url
        self._state_machine_arn = state_machine_arn

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "stepfunctions", region_name=self._region, endpoint_url=self._endpoint_url
        )

    def execution_arn(self, name: str) -> str:
        return self._state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name

    def start(self, name: str, state: Mapping[str, Any]) -> bool:
        try:
            self._client.start_execution(stateMachineArn=self._state_machine_arn, name=name, input=json.dumps(state))
        except self._client.exceptions.ExecutionAlreadyExists:
            return False  # started before (running, or over): an incident escalates once
        return True

    def stop(self, name: str) -> bool:
        arn = self.execution_arn(name)
        try:
            described = self._client.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                return False
            self._client.stop_execution(executionArn=arn, cause="the incident was acknowledged or resolved")
        except self._client.exceptions.ExecutionDoesNotExist:
            return False
        return True

"""Step Functions through boto3: starting an investigation's state machine and watching an execution
(boto3 loaded on first use)."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any


class StepFunctionsWorkflow:
    def __init__(self, state_machine_arn: str, region: str, endpoint_url: str | None):
        self._arn = state_machine_arn
        self._region = region
        self._endpoint_url = endpoint_url

    @cached_property
    def _client(self) -> Any:
        import boto3

        session = boto3.session.Session()
        return session.client("stepfunctions", region_name=self._region, endpoint_url=self._endpoint_url)

    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Start an execution named after the investigation (unique, so a retried start cannot run twice).

        Step Functions answers a repeated name with the running execution, or ExecutionAlreadyExists once it
        has ended: either way it is started, which is all a retry wants to know."""
        try:
            response = self._client.start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(payload))
        except self._client.exceptions.ExecutionAlreadyExists:
            return self._execution_arn(name)
        arn: str = response["executionArn"]
        return arn

    def is_running(self, name: str) -> bool:
        try:
            response = self._client.describe_execution(executionArn=self._execution_arn(name))
        except self._client.exceptions.ExecutionDoesNotExist:
            return False
        return bool(response["status"] == "RUNNING")

    def _execution_arn(self, name: str) -> str:
        # arn:aws:states:<region>:<account>:stateMachine:<machine>  ->  ...:execution:<machine>:<name>
        return self._arn.replace(":stateMachine:", ":execution:", 1) + ":" + name

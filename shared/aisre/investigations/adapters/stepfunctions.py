"""Step Functions through boto3: starting an investigation's state machine (boto3 loaded on first use)."""

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
        """Start an execution named after the investigation (unique, so a retried start cannot run twice)."""
        response = self._client.start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(payload))
        arn: str = response["executionArn"]
        return arn

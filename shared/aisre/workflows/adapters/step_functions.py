"""StateMachines over Step Functions (boto3 loaded on first use). On the local stack the emulator's Step Functions
runs the executions, Task states invoking the functions' handlers in-process."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

Obj = dict[str, Any]


class StepFunctionsMachines:
    def __init__(self, region: str, endpoint_url: str | None, role_arn: str):
        self._region = region
        self._endpoint_url = endpoint_url
        self._role_arn = role_arn

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "stepfunctions", region_name=self._region, endpoint_url=self._endpoint_url
        )

    def start(self, state_machine_arn: str, name: str, payload: Obj) -> str:
        # Named after the run: Step Functions starts a name once, so a retried start cannot run twice.
        try:
            response = self._client.start_execution(
                stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload)
            )
        except self._client.exceptions.ExecutionAlreadyExists:
            return state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name
        arn: str = response["executionArn"]
        return arn

    def describe(self, execution_arn: str) -> Obj | None:
        try:
            described: Obj = self._client.describe_execution(executionArn=execution_arn)
        except (self._client.exceptions.ExecutionDoesNotExist, self._client.exceptions.StateMachineDoesNotExist):
            return None
        return described

    def history(self, execution_arn: str, max_events: int) -> tuple[list[Obj], bool]:
        events: list[Obj] = []
        token: str | None = None
        while True:
            request: Obj = {"executionArn": execution_arn, "maxResults": min(1000, max_events - len(events))}
            if token:
                request["nextToken"] = token
            try:
                page = self._client.get_execution_history(**request)
            except self._client.exceptions.ExecutionDoesNotExist:
                return events, False
            events.extend(page.get("events") or [])
            token = page.get("nextToken")
            if not token:
                return events, False
            if len(events) >= max_events:
                return events, True

    def ensure_state_machine(self, name: str, definition: Obj) -> str:
        # The name carries the definition's digest: one that exists already has this very definition.
        try:
            response = self._client.create_state_machine(
                name=name, definition=json.dumps(definition), roleArn=self._role_arn, type="STANDARD"
            )
        except self._client.exceptions.StateMachineAlreadyExists:
            return self._state_machine_arn(name)
        arn: str = response["stateMachineArn"]
        return arn

    def delete_state_machine(self, arn: str) -> None:
        # Step Functions deletes it once its running executions end; one gone already is what was wanted.
        try:
            self._client.delete_state_machine(stateMachineArn=arn)
        except self._client.exceptions.StateMachineDoesNotExist:
            return

    def _state_machine_arn(self, name: str) -> str:
        # The role's partition and account, the client's region: where this client creates its state machines.
        parts = self._role_arn.split(":")
        partition, account = (parts[1], parts[4]) if len(parts) > 4 else ("aws", "")
        return f"arn:{partition}:states:{self._region}:{account}:stateMachine:{name}"

"""TaskCallbacks over Step Functions: a decided approval resumes the workflow run waiting on its task token
(boto3 loaded on first use; on the local stack the emulator's Step Functions, which really resumes it)."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

# The token no longer names a waiting task: the run timed out, ended, or was resumed already.
_GONE = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken")


class StepFunctionsCallbacks:
    def __init__(self, region: str, endpoint_url: str | None):
        self._region = region
        self._endpoint_url = endpoint_url

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "stepfunctions", region_name=self._region, endpoint_url=self._endpoint_url
        )

    def succeed(self, task_token: str, output: dict[str, Any]) -> bool:
        return self._send(lambda: self._client.send_task_success(taskToken=task_token, output=json.dumps(output)))

    def fail(self, task_token: str, error: str, cause: str) -> bool:
        # Step Functions' limits: an error of 256 characters, a cause of 32,768.
        return self._send(
            lambda: self._client.send_task_failure(taskToken=task_token, error=error[:256], cause=cause[:32_768])
        )

    def _send(self, call: Any) -> bool:
        from botocore.exceptions import ClientError

        try:
            call()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _GONE:
                return False
            raise
        return True

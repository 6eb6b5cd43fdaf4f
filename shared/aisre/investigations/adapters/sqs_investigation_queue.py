"""InvestigationQueue on SQS: new incidents' investigation requests, ten to a SendMessageBatch call."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from aisre.core.errors import StorageError
from aisre.investigations.model.start_requests import InvestigationRequest

_BATCH = 10  # SendMessageBatch's limit


class SqsInvestigationQueue:
    def __init__(self, queue_url: str, region: str, endpoint_url: str | None):
        self._queue_url = queue_url
        self._region = region
        self._endpoint_url = endpoint_url

    @cached_property
    def _client(self) -> Any:
        import boto3

        session = boto3.session.Session()
        return session.client("sqs", region_name=self._region, endpoint_url=self._endpoint_url)

    def request(self, requests: Sequence[InvestigationRequest]) -> None:
        for start in range(0, len(requests), _BATCH):
            entries = [
                {"Id": str(index), "MessageBody": request.to_message()}
                for index, request in enumerate(requests[start : start + _BATCH])
            ]
            failed = self._send(entries)
            if failed:  # an entry SQS refused once (throttled, say) gets one more try
                failed = self._send([entry for entry in entries if entry["Id"] in failed])
            if failed:
                raise StorageError(f"the investigation queue (SQS) refused {len(failed)} request(s)")

    def _send(self, entries: list[dict[str, str]]) -> set[str]:
        response = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
        return {failure["Id"] for failure in response.get("Failed", [])}

"""DynamoDB stream event source mappings, locally: a thread reads the emulator's stream (local/streams.py) and calls a
function's handler in-process with `{"Records": [...]}`, as Lambda's mapping would."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from aisre.local.functions import Handler, LambdaContext
from aisre.local.provision import StreamEventSource
from aisre.local.stream_filters import passes
from aisre.local.workers import BackgroundLoop

logger = logging.getLogger(__name__)

LONG_POLL_SECONDS = 1.0  # the emulator answers as soon as a record comes, else after this
# After a batch of several records (they come faster than they are read: a storm's new incidents), the next read
# waits this long, so that what comes meanwhile makes one batch, one read and one invocation rather than one each.
# Records that come one at a time are read at once. (Lambda polls a shard about four times a second.)
BATCHING_PAUSE_SECONDS = 0.1


class StreamPoller(BackgroundLoop):
    """Long-polls one table's stream and invokes `handler` with each batch, in order.

    Like Lambda's mapping: StartingPosition LATEST begins where the stream is when the poller starts (TRIM_HORIZON
    at the oldest record kept); a batch is at most BatchSize records that pass FilterCriteria; a failed batch is
    tried again up to MaximumRetryAttempts times (bisected when BisectBatchOnFunctionError: each half alone), then
    skipped and logged (no on-failure destination locally). A new emulator (another `epoch`) is read from its start.
    """

    def __init__(
        self,
        source: StreamEventSource,
        handler: Handler,
        context_factory: Callable[[], LambdaContext],
        *,
        endpoint_url: str,
        region: str,
        name: str | None = None,
        bisect_on_error: bool = True,
    ) -> None:
        super().__init__(name or f"stream-poller-{source.name}")
        self.source = source
        self.handler = handler
        self.context_factory = context_factory
        self.endpoint_url = endpoint_url
        self.region = region
        self.bisect_on_error = bisect_on_error
        self._epoch: str | None = None
        self._after: int | None = None
        self.batches = 0
        self.records = 0
        self.errors = 0
        self.skipped = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.poll_once() > 1:
                    self._stop.wait(BATCHING_PAUSE_SECONDS)
            except Exception:
                if self._stop.is_set():
                    return
                self.errors += 1
                logger.exception("stream poller %s: reading %s failed", self.name, self.source.table_name)
                self._stop.wait(1.0)

    def poll_once(self, wait: float = LONG_POLL_SECONDS) -> int:
        """Read one batch (waiting up to `wait` s for it) and process it; returns how many records it held."""
        answer = self._read(self._after, wait)
        if answer["epoch"] != self._epoch:
            # First contact, or a new emulator: LATEST starts where its stream is, anything else from its start.
            first_contact = self._epoch is None
            self._epoch = answer["epoch"]
            if first_contact and self.source.starting_position == "LATEST":
                self._after = int(answer["latest"])
            else:
                self._after = 0
            return 0
        if answer.get("missed"):
            logger.warning("stream poller %s: %d records were dropped before being read", self.name, answer["missed"])
        records = [self._shaped(record) for record in answer["records"]]
        if records:
            self._after = int(records[-1]["dynamodb"]["SequenceNumber"])
        wanted = [record for record in records if passes(self.source.filters, record)]
        if wanted:
            self.process(wanted)
        return len(records)

    def _read(self, after: int | None, wait: float) -> dict[str, Any]:
        query = {"limit": str(max(1, min(self.source.batch_size, 10_000))), "wait": f"{wait:g}", "region": self.region}
        if after is not None:
            query["after"] = str(after)
        table = urllib.parse.quote(self.source.table_name, safe="")
        url = f"{self.endpoint_url}/_aisre/streams/{table}?{urllib.parse.urlencode(query)}"
        with urllib.request.urlopen(url, timeout=wait + 10) as response:
            answer: dict[str, Any] = json.load(response)
        return answer

    def _shaped(self, record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "awsRegion": self.region, "eventSourceARN": self.source.stream_arn}

    def process(self, records: list[dict[str, Any]]) -> None:
        """Invoke the handler on a batch; retry, bisect, then skip what keeps failing."""
        self.batches += 1
        self.records += len(records)
        pending = [records]
        while pending:
            batch = pending.pop(0)
            if self._invoke(batch):
                continue
            if self.bisect_on_error and len(batch) > 1:
                middle = len(batch) // 2
                pending[:0] = [batch[:middle], batch[middle:]]
                continue
            self.skipped += len(batch)
            logger.error("stream poller %s: skipped %d records the handler kept failing on", self.name, len(batch))

    def _invoke(self, batch: list[dict[str, Any]]) -> bool:
        attempts = 1 + max(0, self.source.maximum_retry_attempts if self.source.maximum_retry_attempts >= 0 else 2)
        for attempt in range(attempts):
            try:
                self.handler({"Records": batch}, self.context_factory())
                return True
            except Exception:
                self.errors += 1
                logger.exception(
                    "stream poller %s: handler raised (attempt %d of %d)", self.name, attempt + 1, attempts
                )
                if self._stop.wait(0.1 * (attempt + 1)):
                    return True  # stopping: what is left is not retried
        return False

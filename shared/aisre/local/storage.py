"""What the emulator keeps and how its DynamoDB requests are intercepted, put together in the child process.

Interceptors, outermost first: injected faults (so that a fault "after the write" comes after the write was
journaled and its transaction token remembered), transaction tokens, the streams' recorder (local/streams.py: it
records nothing until provisioning configures a table's stream), the journal. Without a data directory and without
faults, the tokens and the recorder remain.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from aisre.local.datafiles import Syncer, lock_data_dir
from aisre.local.faults import FaultInjector
from aisre.local.intercept import Interceptor, WsgiApp, intercept_dynamodb
from aisre.local.journal import DynamoDBJournal
from aisre.local.queue_store import QueueStore
from aisre.local.streams import StreamRecorder
from aisre.local.transaction_tokens import TransactionTokens

CLOSE_WAIT_SECONDS = 2.0  # at exit, for a DynamoDB request being served to finish its journal write


class EmulatorStorage:
    def __init__(self, data_dir: Path | None, fault_rate: float = 0.0) -> None:
        from aisre.local.moto_patches import DYNAMODB_LOCK

        self._lock = DYNAMODB_LOCK
        self.data_dir = data_dir
        self.faults = FaultInjector(fault_rate) if fault_rate else None
        self.tokens = TransactionTokens()
        self.streams = StreamRecorder()
        self.journal: DynamoDBJournal | None = None
        self.queues: QueueStore | None = None
        self._syncer: Syncer | None = None
        self._closed = False
        if data_dir is not None:
            data_dir = data_dir.resolve()
            try:
                self._lock_fd = lock_data_dir(data_dir)
            except Exception as error:
                print(f"aisre emulator: {error}", file=sys.stderr, flush=True)
                raise SystemExit(2) from None
            self._syncer = Syncer().start()
            self.journal = DynamoDBJournal(data_dir / "dynamodb", self._syncer)
            self.queues = QueueStore(data_dir / "sqs").start()
        if self.faults is not None:
            print(f"aisre emulator: failing {fault_rate:.1%} of DynamoDB data calls on purpose", file=sys.stderr)

    def interceptors(self) -> list[Interceptor]:
        chain: list[Interceptor] = []
        if self.faults is not None:
            chain.append(self.faults)
        chain.append(self.tokens)
        # Inside the tokens (a repeated transaction answered from its token wrote nothing new) and outside the
        # journal (a write the journal could not keep is answered 500: no stream record for it).
        chain.append(self.streams)
        if self.journal is not None:
            chain.append(self.journal)
        return chain

    def wrap(self, app: WsgiApp) -> WsgiApp:
        return intercept_dynamodb(app, self.interceptors(), self._lock)

    def figures(self) -> dict[str, Any]:
        """What the emulator's /_aisre/requests adds: faults injected, transaction repeats answered."""
        figures: dict[str, Any] = {"transaction_repeats_answered": self.tokens.repeats_answered}
        figures.update(self.streams.figures())
        if self.faults is not None:
            figures["faults_injected"] = self.faults.counts()
        return figures

    def close(self) -> None:
        """Sync and close the journal and save the queues; the process exits next. Idempotent."""
        if self._closed:
            return
        self._closed = True
        # A request being served holds the lock until its journal line is written: let it finish.
        acquired = self._lock.acquire(timeout=CLOSE_WAIT_SECONDS)
        try:
            if self.journal is not None:
                self.journal.close()
            if self.queues is not None:
                self.queues.stop()
            if self._syncer is not None:
                self._syncer.sync_all()
        finally:
            if acquired:
                self._lock.release()

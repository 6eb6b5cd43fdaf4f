"""A daemon thread that loops until asked to stop: what the local stack's event sources (SQS pollers, schedules)
share, each giving its own loop (`_run`, which ends once `_stop` is set)."""

from __future__ import annotations

import threading
from typing import Self


class BackgroundLoop:
    def __init__(self, name: str) -> None:
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the loop to end after what it is doing, without waiting for it (stop many in parallel)."""
        self._stop.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to end after what it is doing, and wait for it up to `timeout`."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        raise NotImplementedError

"""Supervision of the emulator child: when it dies while the stack runs, a new one takes its place.

A thread checks the child every POLL_SECONDS; once it has exited, `recover` (LocalStack's) starts a new child,
provisions template.yaml into it and restores the data directory, then says how long it took. A recovery that
fails (a port taken, the data directory still locked) is tried again with a growing pause, and logged each time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 5.0


class EmulatorSupervisor:
    def __init__(
        self,
        exit_code: Callable[[], int | None],
        recover: Callable[[], str],
        *,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        """`exit_code()`: the child's exit code once it has exited, else None. `recover()`: start a new child,
        returning how it went (for the log), or raise."""
        self._exit_code = exit_code
        self._recover = recover
        self._poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.restarts = 0

    def start(self) -> EmulatorSupervisor:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="emulator-supervisor", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching (before the stack stops the child on purpose); wait for a recovery under way."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            code = self._exit_code()
            if code is None:
                continue
            logger.warning("the AWS emulator exited (exit code %s): starting a new one", code)
            started = time.monotonic()
            pause = FIRST_RETRY_SECONDS
            while not self._stop.is_set():
                try:
                    how = self._recover()
                except Exception:
                    logger.exception("restarting the AWS emulator failed; trying again in %.1f s", pause)
                    if self._stop.wait(pause):
                        return
                    pause = min(pause * 2, MAX_RETRY_SECONDS)
                    continue
                self.restarts += 1
                logger.warning("the AWS emulator is back after %.1f s: %s", time.monotonic() - started, how)
                break

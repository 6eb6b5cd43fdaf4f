"""Garbage collection for the long-running local processes (the server and the emulator).

Both processes keep a large heap that lives as long as they do: botocore's service models, the
emulator's stored items (every alert adds some). CPython's full collections scan all of it, again and
again as it grows: a quarter of a second per pause after a few thousand alerts, on the request path,
and about a seventh of both processes' CPU under load. The heap that has survived is long-lived, so
scanning it is wasted work. Here, every few seconds, the young generations are collected and what
survives is frozen (gc.freeze: kept, never scanned again); the interpreter's own collections then scan
only what is recent. Cycles that die after being frozen are reclaimed by one full collection of
everything whenever the process is idle (it used almost no CPU for a while), off the request path.
"""

from __future__ import annotations

import gc
import threading
import time

FREEZE_EVERY_SECONDS = 2.0
IDLE_CPU_SHARE = 0.05  # below this share of one core over a period, the process counts as idle
IDLE_PERIODS_BEFORE_FULL_COLLECTION = 2


class FreezingCollector:
    def __init__(self, period: float = FREEZE_EVERY_SECONDS) -> None:
        self.period = period
        self.full_collections = 0
        self.freezes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> FreezingCollector:
        from aisre.local import speedups

        if not speedups.enabled("gc_freeze"):
            return self  # the interpreter's own collections only
        self.freeze_survivors()
        self._thread = threading.Thread(target=self._run, name="gc-freezer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def freeze_survivors(self) -> None:
        gc.collect(1)
        gc.freeze()
        self.freezes += 1

    def collect_everything(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.full_collections += 1

    def _run(self) -> None:
        idle_periods = 0
        cpu_before = time.process_time()
        # Needs a full collection: something was frozen since the last one.
        dirty = True
        while not self._stop.wait(self.period):
            cpu_now = time.process_time()
            busy = (cpu_now - cpu_before) / self.period > IDLE_CPU_SHARE
            cpu_before = cpu_now
            if busy:
                idle_periods = 0
                self.freeze_survivors()
                dirty = True
                continue
            idle_periods += 1
            if dirty and idle_periods >= IDLE_PERIODS_BEFORE_FULL_COLLECTION:
                self.collect_everything()
                dirty = False
                cpu_before = time.process_time()  # the collection's own CPU is not a sign of load

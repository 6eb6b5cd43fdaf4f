"""Background work yields to an alert storm on the local stack.

In AWS the investigation starter and the steps are functions of their own, with their own CPUs; locally the
server, the emulator and every investigation share one machine's cores. So locally the starter's poller asks
here with a batch in hand: it first waits the event source's batching window
(MaximumBatchingWindowInSeconds, as Lambda would), then, while alerts are
arriving fast, it holds the batch, up to a bound, so that a storm is taken in at full speed and its
investigations follow it. The bound keeps a long storm from starving them: at worst one batch per
`max_wait` seconds still starts.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import Scope

# Alert intake routes: a POST to any of these is an alert arriving.
_INTAKE_PREFIXES = ("/webhook", "/v2/enqueue")
# Busy: more than this many alert requests within the window.
BUSY_REQUESTS = 10
WINDOW_SECONDS = 2.0
MAX_WAIT_SECONDS = 60.0


class IntakeMeter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._arrivals: deque[float] = deque()
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self._clock()

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """A RequestObserver (see local/server.py): counts the alert requests."""
        if scope.get("method") == "POST" and str(scope.get("path", "")).startswith(_INTAKE_PREFIXES):
            with self._lock:
                self._arrivals.append(self._now())
                self._forget_old()

    def busy(self) -> bool:
        with self._lock:
            self._forget_old()
            return len(self._arrivals) > BUSY_REQUESTS

    def hold_while_busy(self, stop: threading.Event, batching_window: float = 0.0) -> None:
        """A background poller's hook with a batch in hand: the event source's batching window, then wait while
        busy."""
        if not (batching_window and stop.wait(batching_window)):
            self.wait_while_busy(stop)

    def wait_while_busy(self, stop: threading.Event, max_wait: float = MAX_WAIT_SECONDS) -> None:
        """Return once intake is quiet, `max_wait` seconds have passed, or `stop` is set."""
        deadline = self._now() + max_wait
        while self.busy() and self._now() < deadline and not stop.wait(0.25):
            pass

    def _forget_old(self) -> None:
        horizon = self._now() - WINDOW_SECONDS
        while self._arrivals and self._arrivals[0] < horizon:
            self._arrivals.popleft()


# The one meter of this process: the local server feeds it, the local stack's background pollers read it.
intake_meter = IntakeMeter()

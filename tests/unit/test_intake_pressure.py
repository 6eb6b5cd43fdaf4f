"""Locally, background pollers wait while alerts pour in, within a bound (aisre/local/intake_pressure.py)."""

from __future__ import annotations

import threading

from aisre.local.intake_pressure import BUSY_REQUESTS, WINDOW_SECONDS, IntakeMeter

BATCHING_WINDOW_SECONDS = 1.0  # an event source's MaximumBatchingWindowInSeconds


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def alert(meter: IntakeMeter, path: str = "/webhook/alertmanager", method: str = "POST") -> None:
    meter.observe({"type": "http", "method": method, "path": path}, 200, 0.01)


def test_only_alert_requests_count_and_they_age_out_of_the_window() -> None:
    clock = Clock()
    meter = IntakeMeter(clock)
    for _ in range(BUSY_REQUESTS + 5):
        alert(meter, path="/incidents", method="GET")
        alert(meter, path="/incidents/inc-1/acknowledge")
    assert not meter.busy()  # reads and lifecycle calls are not intake
    for _ in range(BUSY_REQUESTS + 1):
        alert(meter, path="/v2/enqueue")
    assert meter.busy()
    clock.now += WINDOW_SECONDS + 0.1
    assert not meter.busy()


def test_waiting_ends_at_the_bound_even_when_the_storm_goes_on() -> None:
    clock = Clock()
    meter = IntakeMeter(clock)

    class Storm(threading.Event):
        """The stop event's wait, where time passes and the storm keeps arriving."""

        def wait(self, timeout: float | None = None) -> bool:
            clock.now += timeout or 0
            for _ in range(BUSY_REQUESTS + 1):
                alert(meter)
            return False

    for _ in range(BUSY_REQUESTS + 1):
        alert(meter)
    started = clock.now
    meter.wait_while_busy(Storm(), max_wait=5.0)
    assert 5.0 <= clock.now - started <= 5.5


def test_waiting_returns_at_once_when_quiet_or_when_stopping() -> None:
    meter = IntakeMeter(Clock())
    meter.wait_while_busy(threading.Event(), max_wait=1000)  # quiet: returns without waiting
    for _ in range(BUSY_REQUESTS + 1):
        alert(meter)
    stop = threading.Event()
    stop.set()
    meter.wait_while_busy(stop, max_wait=1000)  # the frozen clock would otherwise never let it return


def test_a_batch_in_hand_waits_the_batching_window_then_while_the_storm_lasts() -> None:
    clock = Clock()
    meter = IntakeMeter(clock)
    waits: list[float] = []

    class Storm(threading.Event):
        """Time passes in the waits; the first alerts of a storm arrive during the batching window."""

        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout or 0)
            clock.now += timeout or 0
            if len(waits) <= 8:
                for _ in range(BUSY_REQUESTS + 1):
                    alert(meter)
            return False

    meter.hold_while_busy(Storm(), batching_window=BATCHING_WINDOW_SECONDS)
    assert waits[0] == BATCHING_WINDOW_SECONDS  # the window in which the storm showed itself
    assert len(waits) > 8 and not meter.busy()  # then held until it was over


def test_a_batch_in_hand_goes_after_the_window_when_all_is_quiet() -> None:
    clock = Clock()
    meter = IntakeMeter(clock)
    waits: list[float] = []

    class Quiet(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout or 0)
            clock.now += timeout or 0
            return False

    meter.hold_while_busy(Quiet(), batching_window=BATCHING_WINDOW_SECONDS)
    assert waits == [BATCHING_WINDOW_SECONDS]
    waits.clear()
    meter.hold_while_busy(Quiet())  # no window: at once
    assert waits == []

"""The local processes' garbage collection: frozen survivors, and the full collection when idle."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator

import pytest

from aisre.local.gc_policy import FreezingCollector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector can free it


@pytest.fixture(autouse=True)
def _thaw_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()  # leave the test process's collector as it found it


def test_frozen_survivors_are_not_scanned_until_everything_is_collected() -> None:
    collector = FreezingCollector()
    node = _Node()
    alive = weakref.ref(node)
    collector.freeze_survivors()
    assert gc.get_freeze_count() > 0
    del node
    gc.collect()
    assert alive() is not None, "a frozen cycle outlives ordinary collections"
    collector.collect_everything()
    assert alive() is None
    assert collector.full_collections == 1


def test_young_garbage_is_collected_before_freezing() -> None:
    node = _Node()
    dead = weakref.ref(node)
    del node
    FreezingCollector().freeze_survivors()
    assert dead() is None, "garbage alive at freezing time would never be reclaimed"


def test_an_idle_process_gets_its_full_collection() -> None:
    collector = FreezingCollector(period=0.05).start()
    try:
        deadline = time.monotonic() + 5
        while collector.full_collections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        collector.stop()
    assert collector.full_collections >= 1

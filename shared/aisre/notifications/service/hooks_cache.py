"""A few seconds' memory of a workspace's webhooks and triggers: the dispatcher asks for them on every event, and
a storm of events would otherwise read the same short list from the table each time. A change made in this
process is seen at once (the entry is forgotten); one made in another process within `ttl_seconds`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class RecentCache(Generic[V]):
    def __init__(self, ttl_seconds: float, *, max_entries: int = 1024, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], V]) -> V:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self._max:
                # Expired entries go first; a process serving that many workspaces at once starts over.
                self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
                if len(self._entries) >= self._max:
                    self._entries.clear()
            self._entries[key] = (now + self._ttl, value)
        return value

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

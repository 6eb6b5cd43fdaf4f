"""A bounded, per-process memory of which incident owns an open fingerprint, to skip a read per duplicate.

Only ever a hint: the fold it enables is a write conditioned on the claim still naming that incident, so
a stale entry (the incident was resolved here, or in another Lambda container) costs one failed
condition and a normal read, never a wrong fold.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedClaim:
    incident_id: str
    group_id: str | None


class ClaimCache:
    def __init__(self, max_entries: int = 10_000):
        self._entries: OrderedDict[tuple[str, str], CachedClaim] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, workspace_id: str, fingerprint: str) -> CachedClaim | None:
        with self._lock:
            claim = self._entries.get((workspace_id, fingerprint))
            if claim is not None:
                self._entries.move_to_end((workspace_id, fingerprint))
            return claim

    def remember(self, workspace_id: str, fingerprint: str, claim: CachedClaim) -> None:
        if self._max_entries <= 0:
            return
        with self._lock:
            self._entries[(workspace_id, fingerprint)] = claim
            self._entries.move_to_end((workspace_id, fingerprint))
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def forget(self, workspace_id: str, fingerprint: str) -> None:
        with self._lock:
            self._entries.pop((workspace_id, fingerprint), None)

"""An embedded exact vector index for the local profile: brute-force cosine, per workspace, thread-safe."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from copy import deepcopy
from typing import Any

from aisre.investigations.errors import VectorIndexError
from aisre.investigations.model.similarity import l2_normalize, top_k
from aisre.investigations.ports import VectorHit


class MemoryVectorIndex:
    """Exact search is fine at local scale (thousands of incidents) and has no recall to tune."""

    def __init__(self) -> None:
        # workspace -> doc_id -> (unit vector, metadata): the workspace is the first key, so a query
        # only ever walks its own workspace's documents.
        self._docs: dict[str, dict[str, tuple[tuple[float, ...], dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def upsert(self, workspace_id: str, doc_id: str, vector: Sequence[float], metadata: Mapping[str, Any]) -> None:
        unit = tuple(l2_normalize(vector))
        stored = deepcopy(dict(metadata))  # the caller may keep mutating its dict
        with self._lock:
            docs = self._docs.setdefault(workspace_id, {})
            self._check_dimensions(docs, len(unit))
            docs[doc_id] = (unit, stored)

    def query(
        self, workspace_id: str, vector: Sequence[float], k: int, exclude_id: str | None = None
    ) -> list[VectorHit]:
        unit = l2_normalize(vector)
        with self._lock:
            docs = self._docs.get(workspace_id, {})
            self._check_dimensions(docs, len(unit))
            # Dot products of unit vectors are cosines; scoring under the lock keeps it a consistent snapshot.
            scored = [
                (doc_id, sum(a * b for a, b in zip(unit, stored, strict=True)), metadata)
                for doc_id, (stored, metadata) in docs.items()
                if doc_id != exclude_id
            ]
        return [VectorHit(doc_id, score, deepcopy(metadata)) for doc_id, score, metadata in top_k(scored, k)]

    def delete(self, workspace_id: str, doc_id: str) -> None:
        with self._lock:
            self._docs.get(workspace_id, {}).pop(doc_id, None)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(docs) for docs in self._docs.values())

    @staticmethod
    def _check_dimensions(docs: Mapping[str, tuple[tuple[float, ...], dict[str, Any]]], size: int) -> None:
        # A changed embedding model must not silently compare vectors of different spaces.
        first = next(iter(docs.values()), None)
        if first is not None and len(first[0]) != size:
            raise VectorIndexError(
                f"vector of {size} dimensions in an index of {len(first[0])}",
                details={"expected": len(first[0]), "got": size},
            )

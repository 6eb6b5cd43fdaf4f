"""Ports of the vector knowledge (embedders, vector indexes) and the errors their adapters raise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from aisre.errors import AisreError


class EmbeddingError(AisreError):
    """The embedding model could not turn text into vectors (endpoint down, refused, or answered nonsense)."""


class VectorIndexError(AisreError):
    """The vector index could not store or search vectors."""


class VectorHit(NamedTuple):
    """One search result: a tuple, so callers may unpack it as (doc_id, score, metadata)."""

    doc_id: str
    score: float  # cosine similarity in [-1, 1], whatever the backend's own score scale
    metadata: dict[str, Any]


class Embedder(Protocol):
    @property
    def dimensions(self) -> int:
        """The length of every vector this embedder returns."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalized vector per text, in order (EmbeddingError when the model fails)."""


class VectorIndex(Protocol):
    """Vectors by (workspace, document): the workspace is part of every key and every search filter."""

    def upsert(self, workspace_id: str, doc_id: str, vector: Sequence[float], metadata: Mapping[str, Any]) -> None:
        """Store or replace the document's vector and metadata."""

    def query(
        self, workspace_id: str, vector: Sequence[float], k: int, exclude_id: str | None = None
    ) -> list[VectorHit]:
        """The k nearest documents of the workspace, best first, never `exclude_id` nor another workspace's."""

    def delete(self, workspace_id: str, doc_id: str) -> None:
        """Forget the document; forgetting one that is not there is not an error."""

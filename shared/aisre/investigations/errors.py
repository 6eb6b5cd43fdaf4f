"""Failures of the investigations' outside dependencies. Each is an UpstreamError: the core maps it to 502."""

from __future__ import annotations

from aisre.core.errors import UpstreamError


class LLMError(UpstreamError):
    """The model endpoint failed: unreachable, timed out, refused the request, or answered nonsense."""


class EmbeddingError(UpstreamError):
    """The embedding model could not turn text into vectors (endpoint down, refused, or answered nonsense)."""


class VectorIndexError(UpstreamError):
    """The vector index could not store or search vectors."""

"""The investigations' errors: their outside dependencies' failures (UpstreamError: the core maps them to
502), and a request naming a model there is not (PayloadError: 400)."""

from __future__ import annotations

from aisre.core.errors import PayloadError, UpstreamError


class UnknownModelError(PayloadError):
    """A request's `model` names none of the models GET /api/model lists."""


class LLMError(UpstreamError):
    """The model endpoint failed: unreachable, timed out, refused the request, or answered nonsense."""


class EmbeddingError(UpstreamError):
    """The embedding model could not turn text into vectors (endpoint down, refused, or answered nonsense)."""


class VectorIndexError(UpstreamError):
    """The vector index could not store or search vectors."""

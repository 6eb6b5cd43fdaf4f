"""Embeddings from an OpenAI-compatible endpoint (OpenAI, Azure-style gateways, vLLM, Ollama) via the openai SDK."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from aisre.investigations.errors import EmbeddingError
from aisre.investigations.model.similarity import l2_normalize

DEFAULT_BATCH_SIZE = 64


class OpenAIEmbedder:
    """Batched calls to POST {base_url}/embeddings; vectors come back L2-normalized whatever the server does."""

    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        dimensions: int | None = None,
        request_dimensions: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
        timeout: float = 30.0,
        max_retries: int = 2,
    ):
        """`dimensions`, when known, is checked on every answer; `request_dimensions` also asks the model to
        shorten its vectors to it (text-embedding-3-* only: other servers refuse the parameter)."""
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        if request_dimensions and dimensions is None:
            raise ValueError("request_dimensions needs dimensions")
        self._model = model
        self._api_key = api_key
        self._base_url = base_url
        self._dimensions = dimensions
        self._request_dimensions = request_dimensions
        self._batch_size = batch_size
        self._timeout = timeout
        self._max_retries = max_retries
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            # Unknown until the model answers once; an index mapping needs it before the first document.
            self.embed(["dimension probe"])
        assert self._dimensions is not None
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(self._embed_batch(texts[start : start + self._batch_size]))
        return vectors

    def _embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        import openai  # heavy: only a process that embeds pays for it

        extra: dict[str, Any] = {"dimensions": self._dimensions} if self._request_dimensions else {}
        try:
            response = self._openai_client().embeddings.create(
                # OpenAI refuses empty strings; a blank stands for "no text" and embeds near nothing.
                input=[text or " " for text in texts],
                model=self._model,
                # Floats, not the SDK's base64 default: every compatible server speaks floats.
                encoding_format="float",
                **extra,
            )
        except openai.APIStatusError as exc:
            raise EmbeddingError(
                f"embeddings endpoint answered {exc.status_code}: {_server_message(exc)}",
                details={"status_code": exc.status_code, "model": self._model},
            ) from exc
        except openai.APIError as exc:  # connection refused, timeout, unreadable answer
            raise EmbeddingError(
                f"embeddings endpoint failed: {type(exc).__name__}", details={"model": self._model}
            ) from exc
        return self._vectors(response, len(texts))

    def _vectors(self, response: Any, expected: int) -> list[list[float]]:
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != expected or [item.index for item in data] != list(range(expected)):
            raise EmbeddingError(
                f"embeddings endpoint returned {len(data)} vectors for {expected} texts",
                details={"model": self._model},
            )
        vectors = [l2_normalize([float(x) for x in item.embedding]) for item in data]
        sizes = {len(vector) for vector in vectors}
        if len(sizes) > 1 or (self._dimensions is not None and sizes != {self._dimensions}):
            raise EmbeddingError(
                f"embeddings of {sorted(sizes)} dimensions, expected {self._dimensions}",
                details={"model": self._model, "expected": self._dimensions, "got": sorted(sizes)},
            )
        if self._dimensions is None and sizes:
            self._dimensions = sizes.pop()
        return vectors

    def _openai_client(self) -> Any:
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                self._client = OpenAI(
                    api_key=self._api_key,
                    base_url=self._base_url,
                    timeout=self._timeout,
                    max_retries=self._max_retries,
                )
            return self._client


def _server_message(exc: Any) -> str:
    """The server's own error message, short; never the request (it may hold incident text)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, dict) else error
        if message:
            return str(message)[:300]
    return str(getattr(exc, "message", "") or type(exc).__name__)[:300]

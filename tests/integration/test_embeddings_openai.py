"""OpenAIEmbedder over real HTTP against a scripted OpenAI-compatible embeddings server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from aisre.incidents.model.alert import Severity
from aisre.incidents.model.incident import Incident, IncidentState
from aisre.investigations.adapters.embeddings_local import HashingEmbedder
from aisre.investigations.adapters.embeddings_openai import OpenAIEmbedder
from aisre.investigations.adapters.vector_memory import MemoryVectorIndex
from aisre.investigations.errors import EmbeddingError
from aisre.investigations.model.similarity import cosine
from aisre.investigations.service.similar import SimilarIncidents
from tests.support.servers import free_port

SERVER_DIMENSIONS = 48
_REFERENCE = HashingEmbedder(dimensions=SERVER_DIMENSIONS)


@dataclass
class Recorded:
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def scripted_server(recorded: Recorded) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """POST /v1/embeddings: deterministic vectors; some model names script failures."""

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            recorded.requests.append(body)
            recorded.headers.append({key.lower(): value for key, value in self.headers.items()})
            if self.path != "/v1/embeddings":
                return self._answer(404, {"error": {"message": "no such route", "type": "invalid_request_error"}})
            model = body["model"]
            if model == "missing-model":
                return self._answer(
                    400, {"error": {"message": "model 'missing-model' does not exist", "type": "invalid_request_error"}}
                )
            if model == "overloaded-model":
                return self._answer(503, {"error": {"message": "overloaded, try later", "type": "server_error"}})
            texts = body["input"]
            if model == "short-model":
                texts = texts[:-1]
            # Scaled, not unit: the adapter must normalize whatever the server sends.
            data = [
                {"object": "embedding", "index": i, "embedding": [3.0 * x for x in _REFERENCE.embed_one(text)]}
                for i, text in enumerate(texts)
            ]
            data.reverse()  # the API does not promise order; the adapter must sort by index
            return self._answer(
                200,
                {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": 1, "total_tokens": 1}},
            )

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Recorded]]:
    recorded = Recorded()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), scripted_server(recorded))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", recorded
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def embedder(base_url: str, model: str = "test-embed-1", **options: Any) -> OpenAIEmbedder:
    return OpenAIEmbedder(model=model, api_key="sk-test", base_url=base_url, **options)


def test_batches_in_order_with_the_model_name(server: tuple[str, Recorded]) -> None:
    base_url, recorded = server
    texts = [f"text number {n}" for n in range(5)]
    vectors = embedder(base_url, batch_size=2).embed(texts)

    assert [len(request["input"]) for request in recorded.requests] == [2, 2, 1]
    assert {request["model"] for request in recorded.requests} == {"test-embed-1"}
    assert {request["encoding_format"] for request in recorded.requests} == {"float"}
    assert all("dimensions" not in request for request in recorded.requests)
    assert recorded.headers[0]["authorization"] == "Bearer sk-test"
    # In input order despite the server's reversed answer, and normalized.
    for text, vector in zip(texts, vectors, strict=True):
        assert vector == pytest.approx(_REFERENCE.embed_one(text))


def test_dimensions_are_learnt_checked_and_requested(server: tuple[str, Recorded]) -> None:
    base_url, recorded = server
    learning = embedder(base_url)
    assert learning.dimensions == SERVER_DIMENSIONS
    assert embedder(base_url, dimensions=SERVER_DIMENSIONS).embed(["ok"])[0] == pytest.approx(
        _REFERENCE.embed_one("ok")
    )
    with pytest.raises(EmbeddingError, match="dimensions"):
        embedder(base_url, dimensions=1536).embed(["wrong size"])
    embedder(base_url, dimensions=SERVER_DIMENSIONS, request_dimensions=True).embed(["shorten"])
    assert recorded.requests[-1]["dimensions"] == SERVER_DIMENSIONS
    assert embedder(base_url).embed([]) == []


def test_a_refusal_surfaces_as_an_embedding_error(server: tuple[str, Recorded]) -> None:
    base_url, _ = server
    with pytest.raises(EmbeddingError) as caught:
        embedder(base_url, model="missing-model").embed(["anything"])
    assert caught.value.details["status_code"] == 400
    assert "model 'missing-model' does not exist" in str(caught.value)
    assert "sk-test" not in str(caught.value)


def test_a_server_error_surfaces_once_retries_are_spent(server: tuple[str, Recorded]) -> None:
    base_url, recorded = server
    with pytest.raises(EmbeddingError) as caught:
        embedder(base_url, model="overloaded-model", max_retries=1).embed(["anything"])
    assert caught.value.details["status_code"] == 503
    assert len(recorded.requests) == 2  # the SDK retried once, then gave up


def test_a_short_answer_is_an_embedding_error(server: tuple[str, Recorded]) -> None:
    base_url, _ = server
    with pytest.raises(EmbeddingError, match="1 vectors for 2 texts"):
        embedder(base_url, model="short-model").embed(["one", "two"])


def test_an_unreachable_endpoint_is_an_embedding_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EmbeddingError, match="APIConnectionError"):
        embedder(closed, max_retries=0, timeout=5).embed(["anything"])


def test_similar_incidents_through_the_endpoint(server: tuple[str, Recorded]) -> None:
    base_url, _ = server
    service = SimilarIncidents(embedder(base_url), MemoryVectorIndex())

    def make(incident_id: str, title: str, state: IncidentState = IncidentState.RESOLVED) -> Incident:
        return Incident(
            id=incident_id,
            workspace_id="ws-a",
            title=title,
            severity=Severity.CRITICAL,
            state=state,
            source="alertmanager",
            provider="alertmanager",
            fingerprint=f"fp-{incident_id}",
            created_at=datetime(2025, 1, 10, 8, 15),
        )

    service.index_incident(make("inc-older-123", "OOMKilled on payments-api"), "Increased memory limit to 1Gi")
    service.index_incident(make("inc-dns", "DNS resolution failing in checkout"))
    current = make("inc-new", "payments-api container OOMKilled again", IncidentState.OPEN)
    [top] = service.similar(current)
    assert top["id"] == "inc-older-123"
    assert top["resolution"] == "Increased memory limit to 1Gi"
    expected = cosine(_REFERENCE.embed_one("OOMKilled on payments-api"), _REFERENCE.embed_one(current.title))
    assert top["similarity_score"] == round(expected, 2)

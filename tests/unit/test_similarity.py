"""Similar incidents: embedded text, local hashing embedding, exact index, OpenSearch bodies, the service."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.incidents.model.alert import Severity
from aisre.incidents.model.incident import Incident, IncidentState
from aisre.investigations.adapters.embeddings_local import HashingEmbedder
from aisre.investigations.adapters.vector_memory import MemoryVectorIndex
from aisre.investigations.adapters.vector_opensearch import (
    OpenSearchVectorIndex,
    document_body,
    document_id,
    hits_of,
    index_body,
    query_body,
    score_to_cosine,
)
from aisre.investigations.errors import VectorIndexError
from aisre.investigations.model.similarity import (
    cosine,
    incident_text,
    rank,
    strip_volatile,
    top_k,
    workload_of_pod,
)
from aisre.investigations.ports import VectorHit
from aisre.investigations.service.similar import SimilarIncidents
from tests.support.servers import free_port

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def incident(
    incident_id: str,
    title: str,
    *,
    workspace_id: str = "ws-a",
    description: str = "",
    service: str | None = None,
    pod: str | None = None,
    labels: dict[str, str] | None = None,
    state: IncidentState = IncidentState.OPEN,
    severity: Severity = Severity.CRITICAL,
    created_at: datetime = datetime(2025, 1, 10, 8, 15),
) -> Incident:
    return Incident(
        id=incident_id,
        workspace_id=workspace_id,
        title=title,
        description=description,
        severity=severity,
        state=state,
        source="alertmanager",
        provider="alertmanager",
        service=service,
        namespace="prod",
        pod=pod,
        fingerprint=f"fp-{incident_id}",
        labels=labels or {},
        created_at=created_at,
    )


# -- the embedded text ---------------------------------------------------------------------------------


def test_pod_hash_suffixes_are_stripped_so_one_workload_matches_across_pods() -> None:
    assert workload_of_pod("payments-api-7d8f9c6b5-x2k4m") == "payments-api"
    assert workload_of_pod("node-exporter-x2k4m") == "node-exporter"  # DaemonSet / Job pod
    assert workload_of_pod("kafka-2") == "kafka"  # StatefulSet ordinal
    assert workload_of_pod("redis") == "redis"
    # Words with vowels are never mistaken for Kubernetes' generated (vowel-free) name parts.
    assert strip_volatile("worker-backend-queue down") == "worker-backend-queue down"

    first = incident(
        "inc-1",
        "OOMKilled payments-api-7d8f9c6b5-x2k4m",
        pod="payments-api-7d8f9c6b5-x2k4m",
        labels={"alertname": "KubePodOOMKilled", "pod": "payments-api-7d8f9c6b5-x2k4m"},
    )
    second = incident(
        "inc-2",
        "OOMKilled payments-api-59c4d8b7f6-qzr9w",
        pod="payments-api-59c4d8b7f6-qzr9w",
        labels={"alertname": "KubePodOOMKilled", "pod": "payments-api-59c4d8b7f6-qzr9w"},
        created_at=datetime(2025, 3, 1, 12, 0),
    )
    assert incident_text(first) == incident_text(second)


def test_text_holds_what_broke_and_where_but_no_ids_or_times() -> None:
    item = incident(
        "inc-a1b2c3d4",
        "High error rate on checkout",
        service="checkout",
        description=(
            "Started 2025-01-10T08:15:00Z, request 123e4567-e89b-12d3-a456-426614174000 failed (trace 9f8e7d6c5b4a3f2e)"
        ),
        labels={"alertname": "HighErrorRate", "instance": "10.0.3.7:9090", "severity": "critical"},
    )
    text = incident_text(item)
    for kept in ("High error rate on checkout", "checkout", "prod", "HighErrorRate", "Started", "failed"):
        assert kept in text
    for dropped in ("inc-a1b2c3d4", "2025-01-10", "123e4567", "9f8e7d6c5b4a3f2e", "10.0.3.7", "fp-"):
        assert dropped not in text


def test_text_is_bounded() -> None:
    item = incident("inc-big", "Disk full", description="x " * 50_000)
    assert len(incident_text(item)) <= 4000


# -- vector math -------------------------------------------------------------------------------------------


def test_cosine_basics() -> None:
    assert cosine([1.0, 0.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 2.0]) == pytest.approx(0.0)
    assert cosine([1.0, 1.0], [-1.0, -1.0]) == pytest.approx(-1.0)
    assert cosine([0.0, 0.0], [1.0, 0.0]) == 0.0
    with pytest.raises(ValueError):
        cosine([1.0], [1.0, 0.0])


@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=3),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=3),
)
def test_cosine_is_symmetric_and_bounded(a: list[float], b: list[float]) -> None:
    score = cosine(a, b)
    assert -1.0 <= score <= 1.0
    assert score == pytest.approx(cosine(b, a))


def test_rank_is_best_first_stable_and_excludes() -> None:
    candidates = [("b", [1.0, 0.0], "B"), ("a", [1.0, 0.0], "A"), ("c", [0.0, 1.0], "C"), ("self", [1.0, 0.0], "S")]
    hits = rank([1.0, 0.0], candidates, 3, exclude_id="self")
    assert [doc_id for doc_id, _, _ in hits] == ["a", "b", "c"]  # ties by id
    assert [doc_id for doc_id, _, _ in rank([1.0, 0.0], candidates, 5, min_score=0.5)] == ["a", "b", "self"]
    assert top_k([("x", 1.0, None)], 0) == []


# -- the local embedding ---------------------------------------------------------------------------------


def test_local_embedding_ranks_the_same_problem_first() -> None:
    embedder = HashingEmbedder()
    query, same, other = embedder.embed(
        ["OOMKilled on payments-api", "payments-api container OOMKilled again", "DNS resolution failing in checkout"]
    )
    assert cosine(query, same) > 0.6
    assert cosine(query, same) > cosine(query, other) + 0.4


def test_local_embedding_is_unit_length_and_sized() -> None:
    embedder = HashingEmbedder(dimensions=64)
    [vector] = embedder.embed(["Disk pressure on node ip-10-0-1-12"])
    assert len(vector) == embedder.dimensions == 64
    assert math.sqrt(sum(x * x for x in vector)) == pytest.approx(1.0)
    assert embedder.embed([""]) == [[0.0] * 64]


def test_local_embedding_is_identical_in_another_process() -> None:
    texts = ["OOMKilled on payments-api", "DNS resolution failing in checkout"]
    script = (
        "import json, sys; from aisre.investigations.adapters.embeddings_local import HashingEmbedder; "
        "print(json.dumps(HashingEmbedder().embed(json.loads(sys.argv[1]))))"
    )
    for seed in ("1", "2"):  # str hash() differs under these seeds; the embedding must not
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script, json.dumps(texts)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=PROJECT_ROOT,
        )
        assert json.loads(out.stdout) == HashingEmbedder().embed(texts)


# -- the in-memory index ------------------------------------------------------------------------------


def test_memory_index_never_crosses_workspaces() -> None:
    index = MemoryVectorIndex()
    index.upsert("ws-a", "inc-1", [1.0, 0.0], {"id": "inc-1"})
    index.upsert("ws-b", "inc-2", [1.0, 0.0], {"id": "inc-2"})
    index.upsert("ws-b", "inc-1", [0.0, 1.0], {"id": "other"})  # same doc id, other workspace: no overwrite
    assert [hit.doc_id for hit in index.query("ws-a", [1.0, 0.0], 10)] == ["inc-1"]
    assert index.query("ws-a", [1.0, 0.0], 10)[0].metadata == {"id": "inc-1"}
    assert {hit.doc_id for hit in index.query("ws-b", [1.0, 0.0], 10)} == {"inc-1", "inc-2"}
    assert index.query("ws-c", [1.0, 0.0], 10) == []


def test_memory_index_excludes_replaces_and_deletes() -> None:
    index = MemoryVectorIndex()
    index.upsert("ws", "self", [1.0, 0.0], {"v": 1})
    index.upsert("ws", "near", [2.0, 0.1], {"v": 1})
    index.upsert("ws", "near", [3.0, 0.1], {"v": 2})
    hits = index.query("ws", [1.0, 0.0], 5, exclude_id="self")
    assert [(hit.doc_id, hit.metadata) for hit in hits] == [("near", {"v": 2})]
    assert hits[0].score == pytest.approx(cosine([1.0, 0.0], [3.0, 0.1]))
    index.delete("ws", "near")
    index.delete("ws", "never-there")
    assert [hit.doc_id for hit in index.query("ws", [1.0, 0.0], 5)] == ["self"]
    assert index.query("ws", [1.0, 0.0], 0) == []


def test_memory_index_refuses_mixed_dimensions() -> None:
    index = MemoryVectorIndex()
    index.upsert("ws", "a", [1.0, 0.0], {})
    with pytest.raises(VectorIndexError):
        index.upsert("ws", "b", [1.0, 0.0, 0.0], {})
    with pytest.raises(VectorIndexError):
        index.query("ws", [1.0, 0.0, 0.0], 1)


def test_memory_index_is_thread_safe() -> None:
    index = MemoryVectorIndex()
    embedder = HashingEmbedder(dimensions=32)

    def writer(worker: int) -> None:
        for n in range(50):
            [vector] = embedder.embed([f"worker {worker} item {n}"])
            index.upsert("ws", f"{worker}-{n}", vector, {"n": n})
            index.query("ws", vector, 3)

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(index) == 400


# -- OpenSearch request bodies (no server here: only the bodies the adapter sends are tested) ------------


def test_opensearch_index_body_maps_a_knn_vector_and_keyword_keys() -> None:
    body = index_body(384)
    assert body["settings"]["index"]["knn"] is True
    properties = body["mappings"]["properties"]
    assert properties["workspace_id"] == {"type": "keyword"}
    assert properties["doc_id"] == {"type": "keyword"}
    vector = properties["vector"]
    assert vector["type"] == "knn_vector" and vector["dimension"] == 384
    assert vector["method"]["name"] == "hnsw"
    assert (vector["method"]["engine"], vector["method"]["space_type"]) == ("faiss", "innerproduct")
    assert properties["metadata"]["enabled"] is False
    assert index_body(8, engine="lucene", space_type="cosinesimil")["mappings"]["properties"]["vector"]["method"][
        "engine"
    ] == ("lucene")
    with pytest.raises(ValueError):
        index_body(8, engine="nmslib", space_type="l2")


def test_opensearch_query_filters_on_workspace_inside_the_knn_search() -> None:
    body = query_body("ws-a", [3.0, 4.0], 5, exclude_id="inc-1")
    knn = body["query"]["knn"]["vector"]
    assert knn["k"] == 5 and body["size"] == 5
    assert knn["vector"] == pytest.approx([0.6, 0.8])  # normalized: innerproduct is cosine only on unit vectors
    assert knn["filter"]["bool"]["filter"] == [{"term": {"workspace_id": "ws-a"}}]
    assert knn["filter"]["bool"]["must_not"] == [{"term": {"doc_id": "inc-1"}}]
    assert "vector" not in body["_source"]
    assert "must_not" not in query_body("ws-a", [1.0], 1)["query"]["knn"]["vector"]["filter"]["bool"]


def test_opensearch_documents_are_keyed_by_workspace() -> None:
    assert document_id("ws-a", "inc-1") != document_id("ws-b", "inc-1")
    body = document_body("ws-a", "inc-1", [0.0, 2.0], {"title": "t"})
    assert body == {"workspace_id": "ws-a", "doc_id": "inc-1", "vector": [0.0, 1.0], "metadata": {"title": "t"}}


@pytest.mark.parametrize("cos", [-0.9, -0.2, 0.0, 0.3, 0.92, 1.0])
def test_opensearch_scores_translate_back_to_cosines(cos: float) -> None:
    faiss_score = 1 + cos if cos >= 0 else 1 / (1 - cos)
    assert score_to_cosine(faiss_score, "innerproduct") == pytest.approx(cos)
    assert score_to_cosine((2 - (1 - cos)) / 2, "cosinesimil") == pytest.approx(cos)


def test_opensearch_hits_drop_other_workspaces() -> None:
    response = {
        "hits": {
            "hits": [
                {"_score": 1.92, "_source": {"workspace_id": "ws-a", "doc_id": "inc-1", "metadata": {"id": "inc-1"}}},
                {"_score": 1.99, "_source": {"workspace_id": "ws-b", "doc_id": "inc-9", "metadata": {}}},
            ]
        }
    }
    hits = hits_of(response, "ws-a", "innerproduct")
    assert hits == [VectorHit("inc-1", pytest.approx(0.92), {"id": "inc-1"})]


def test_opensearch_adapter_checks_dimensions_before_any_request() -> None:
    index = OpenSearchVectorIndex(endpoint="http://127.0.0.1:1", index_name="incidents", dimensions=4)
    with pytest.raises(VectorIndexError):
        index.upsert("ws", "inc-1", [1.0, 0.0], {})
    assert index.query("ws", [1.0, 0.0, 0.0, 0.0], 0) == []
    with pytest.raises(ValueError):
        OpenSearchVectorIndex(endpoint="http://x", index_name="i", dimensions=4, engine="lucene", space_type="l2")


def test_opensearch_adapter_reports_an_unreachable_cluster_as_a_vector_index_error() -> None:
    # A closed loopback port, not a fake cluster: only opensearch-py's own connection failure is exercised.
    closed = f"http://127.0.0.1:{free_port()}"
    index = OpenSearchVectorIndex(endpoint=closed, index_name="incidents", dimensions=2, timeout=2)
    with pytest.raises(VectorIndexError, match="cannot reach index incidents"):
        index.query("ws", [1.0, 0.0], 3)


# -- the service ------------------------------------------------------------------------------------------------


def seeded_service() -> SimilarIncidents:
    service = SimilarIncidents(HashingEmbedder(), MemoryVectorIndex())
    service.index_incident(
        incident(
            "inc-older-123",
            "OOMKilled on payments-api",
            service="payments-api",
            pod="payments-api-7d8f9c6b5-x2k4m",
            labels={"alertname": "KubePodOOMKilled"},
            state=IncidentState.RESOLVED,
        ),
        resolution="Increased memory limit to 1Gi",
    )
    service.index_incidents(
        [
            (incident("inc-dns", "DNS resolution failing in checkout", service="checkout"), None),
            (
                incident(
                    "inc-other-ws",
                    "OOMKilled on payments-api",
                    service="payments-api",
                    workspace_id="ws-b",
                ),
                "secret fix of another tenant",
            ),
        ]
    )
    return service


def test_similar_returns_the_past_incident_with_its_resolution() -> None:
    service = seeded_service()
    current = incident(
        "inc-a1b2c3d4",
        "payments-api container OOMKilled again",
        service="payments-api",
        pod="payments-api-59c4d8b7f6-qzr9w",
        labels={"alertname": "KubePodOOMKilled"},
    )
    service.index_incident(current)
    response = service.similar_response(current)
    assert response["incident_id"] == "inc-a1b2c3d4"
    assert response["count"] == 1
    [entry] = response["similar_incidents"]
    assert entry == {
        "id": "inc-older-123",
        "title": "OOMKilled on payments-api",
        "similarity_score": entry["similarity_score"],
        "severity": "critical",
        "state": "resolved",
        "created_at": "2025-01-10T08:15:00Z",  # UTC with Z, as every response writes a moment
        "resolution": "Increased memory limit to 1Gi",
    }
    assert 0.3 <= entry["similarity_score"] <= 1.0
    assert entry["similarity_score"] == round(entry["similarity_score"], 2)


def test_similar_never_returns_the_incident_itself_nor_another_workspace() -> None:
    service = seeded_service()
    seed = incident("inc-older-123", "OOMKilled on payments-api", service="payments-api")
    ids = [entry["id"] for entry in service.similar(seed, k=10, min_score=-1.0)]
    assert "inc-older-123" not in ids
    assert "inc-other-ws" not in ids
    assert ids == ["inc-dns"]
    assert service.similar(seed, k=0) == []


def test_similar_honours_min_score_and_forget() -> None:
    service = seeded_service()
    query = incident("inc-new", "OOMKilled on payments-api", service="payments-api")
    assert [entry["id"] for entry in service.similar(query, min_score=0.3)] == ["inc-older-123"]
    assert service.similar(query, min_score=0.999) == []
    service.forget(incident("inc-older-123", "x"))
    assert service.similar(query) == []


def test_entries_without_resolution_carry_no_resolution_key() -> None:
    service = seeded_service()
    query = incident("inc-new", "DNS resolution failing in checkout", service="checkout")
    [entry] = service.similar(query)
    assert entry["id"] == "inc-dns" and "resolution" not in entry

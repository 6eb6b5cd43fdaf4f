"""Vectors in OpenSearch k-NN (opensearch-py): HNSW index, workspace as a keyword filter inside the k-NN search."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from aisre.investigations.errors import VectorIndexError
from aisre.investigations.model.similarity import l2_normalize
from aisre.investigations.ports import VectorHit

# faiss + innerproduct on unit vectors is cosine, and faiss HNSW supports efficient (in-graph) filtering
# since OpenSearch 2.9; lucene + cosinesimil is the alternative for domains where faiss is not available.
SPACES = {("faiss", "innerproduct"), ("lucene", "cosinesimil")}


def index_body(
    dimensions: int,
    *,
    engine: str = "faiss",
    space_type: str = "innerproduct",
    m: int = 16,
    ef_construction: int = 128,
    refresh_interval: str = "1s",
) -> dict[str, Any]:
    """Settings and mappings of the index: one knn_vector, the keys as keywords, metadata stored only."""
    if (engine, space_type) not in SPACES:
        raise ValueError(f"unsupported engine/space: {engine}/{space_type}")
    return {
        "settings": {
            "index": {
                "knn": True,
                # Resolved incidents trickle in; a second's delay before they are searchable is invisible.
                "refresh_interval": refresh_interval,
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "workspace_id": {"type": "keyword"},
                "doc_id": {"type": "keyword"},
                "vector": {
                    "type": "knn_vector",
                    "dimension": dimensions,
                    "method": {
                        "name": "hnsw",
                        "engine": engine,
                        "space_type": space_type,
                        "parameters": {"m": m, "ef_construction": ef_construction},
                    },
                },
                # Returned with hits, never searched: not indexing it keeps arbitrary keys out of the mapping.
                "metadata": {"type": "object", "enabled": False},
            },
        },
    }


def document_id(workspace_id: str, doc_id: str) -> str:
    """The OpenSearch _id: the workspace is part of the key, so one workspace cannot overwrite another's."""
    return f"{workspace_id}#{doc_id}"


def document_body(
    workspace_id: str, doc_id: str, vector: Sequence[float], metadata: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "workspace_id": workspace_id,
        "doc_id": doc_id,
        "vector": l2_normalize(vector),  # innerproduct equals cosine only on unit vectors
        "metadata": dict(metadata),
    }


def query_body(workspace_id: str, vector: Sequence[float], k: int, exclude_id: str | None = None) -> dict[str, Any]:
    """A k-NN query whose filter (workspace, minus the excluded document) is applied inside the graph search,
    so k hits come back even when the workspace holds a sliver of the index."""
    knn_filter: dict[str, Any] = {"bool": {"filter": [{"term": {"workspace_id": workspace_id}}]}}
    if exclude_id is not None:
        knn_filter["bool"]["must_not"] = [{"term": {"doc_id": exclude_id}}]
    return {
        "size": k,
        "_source": ["workspace_id", "doc_id", "metadata"],  # the vector itself is bulk nobody reads
        "query": {"knn": {"vector": {"vector": l2_normalize(vector), "k": k, "filter": knn_filter}}},
    }


def score_to_cosine(score: float, space_type: str) -> float:
    """Undo OpenSearch's score translation so callers compare plain cosines whatever the engine."""
    if space_type == "cosinesimil":
        return 2.0 * score - 1.0  # score = (2 - (1 - cos)) / 2
    if space_type == "innerproduct":
        # score = 1 + ip when ip >= 0, else 1 / (1 - ip)
        return score - 1.0 if score >= 1.0 else 1.0 - 1.0 / score
    raise ValueError(f"unsupported space type: {space_type}")


def hits_of(response: Mapping[str, Any], workspace_id: str, space_type: str) -> list[VectorHit]:
    """The search response as hits; documents of another workspace are dropped should a filter ever be lost."""
    hits: list[VectorHit] = []
    for hit in response.get("hits", {}).get("hits", []):
        source = hit.get("_source", {})
        if source.get("workspace_id") != workspace_id:
            continue
        cosine = max(-1.0, min(1.0, score_to_cosine(float(hit["_score"]), space_type)))
        hits.append(VectorHit(source["doc_id"], cosine, dict(source.get("metadata") or {})))
    return hits


class OpenSearchVectorIndex:
    """One index shared by all workspaces, created with the k-NN mapping on first use if missing."""

    def __init__(
        self,
        *,
        endpoint: str,
        index_name: str,
        dimensions: int,
        region: str | None = None,
        aws_service: str = "es",
        engine: str = "faiss",
        space_type: str = "innerproduct",
        refresh: str = "false",
        timeout: float = 10.0,
        client: Any = None,
    ):
        """`region` signs requests with SigV4 (Amazon OpenSearch Service "es", Serverless "aoss"); without it
        the endpoint is called as is (a self-managed cluster). `refresh` is the write's refresh policy:
        "false" leaves visibility to refresh_interval, which a live index needs; "wait_for" suits tests."""
        index_body(dimensions, engine=engine, space_type=space_type)  # validates engine and space early
        self._endpoint = endpoint
        self._index = index_name
        self._dimensions = dimensions
        self._region = region
        self._aws_service = aws_service
        self._engine = engine
        self._space_type = space_type
        self._refresh = refresh
        self._timeout = timeout
        self._client = client
        self._ready = False
        self._lock = threading.Lock()

    def upsert(self, workspace_id: str, doc_id: str, vector: Sequence[float], metadata: Mapping[str, Any]) -> None:
        self._check_dimensions(vector)
        body = document_body(workspace_id, doc_id, vector, metadata)
        self._call(
            "index",
            index=self._index,
            id=document_id(workspace_id, doc_id),
            body=body,
            params={"refresh": self._refresh},
        )

    def query(
        self, workspace_id: str, vector: Sequence[float], k: int, exclude_id: str | None = None
    ) -> list[VectorHit]:
        if k <= 0:
            return []
        self._check_dimensions(vector)
        response = self._call("search", index=self._index, body=query_body(workspace_id, vector, k, exclude_id))
        return hits_of(response, workspace_id, self._space_type)

    def delete(self, workspace_id: str, doc_id: str) -> None:
        from opensearchpy import NotFoundError

        try:
            self._call("delete", index=self._index, id=document_id(workspace_id, doc_id))
        except VectorIndexError as exc:
            if not isinstance(exc.__cause__, NotFoundError):
                raise

    def _call(self, method: str, **kwargs: Any) -> Any:
        from opensearchpy import OpenSearchException

        client = self._ensure_index()
        try:
            return getattr(client, method)(**kwargs)
        except OpenSearchException as exc:
            raise VectorIndexError(f"opensearch {method} failed: {exc}", details={"index": self._index}) from exc

    def _ensure_index(self) -> Any:
        from opensearchpy import OpenSearchException, RequestError

        with self._lock:
            client = self._opensearch()
            if self._ready:
                return client
            body = index_body(self._dimensions, engine=self._engine, space_type=self._space_type)
            try:
                if not client.indices.exists(index=self._index):
                    client.indices.create(index=self._index, body=body)
            except RequestError as exc:
                # Another Lambda created it between our check and our create: that is what we wanted.
                if "resource_already_exists_exception" not in str(exc.error):
                    raise VectorIndexError(f"cannot create index {self._index}: {exc}") from exc
            except OpenSearchException as exc:
                raise VectorIndexError(f"cannot reach index {self._index}: {exc}") from exc
            self._ready = True
            return client

    def _opensearch(self) -> Any:
        if self._client is not None:
            return self._client
        from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth

        auth = None
        if self._region:
            import boto3

            credentials = boto3.Session().get_credentials()
            auth = Urllib3AWSV4SignerAuth(credentials, self._region, self._aws_service)
        self._client = OpenSearch(
            hosts=[self._endpoint],
            http_auth=auth,
            use_ssl=self._endpoint.startswith("https"),
            verify_certs=True,
            timeout=self._timeout,
            http_compress=True,
        )
        return self._client

    def _check_dimensions(self, vector: Sequence[float]) -> None:
        if len(vector) != self._dimensions:
            raise VectorIndexError(
                f"vector of {len(vector)} dimensions for an index of {self._dimensions}",
                details={"expected": self._dimensions, "got": len(vector)},
            )

"""SimilarIncidents: remember incidents as vectors and find the past ones that look like a given incident."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aisre.core.timestamps import utc_iso
from aisre.incidents.model.incident import Incident
from aisre.investigations.model.similarity import incident_text
from aisre.investigations.ports import Embedder, VectorHit, VectorIndex

DEFAULT_K = 5
DEFAULT_MIN_SCORE = 0.3


def incident_metadata(incident: Incident, resolution: str | None = None) -> dict[str, Any]:
    """What a similar-incident entry shows, stored beside the vector so a search needs no second read."""
    metadata: dict[str, Any] = {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "state": incident.state.value,
        "created_at": utc_iso(incident.created_at),
        "service": incident.service,
    }
    if resolution:
        metadata["resolution"] = resolution
    return metadata


def similar_entry(hit: VectorHit) -> dict[str, Any]:
    """One entry of `similar_incidents`, in the shape the API answers."""
    metadata = hit.metadata
    entry: dict[str, Any] = {
        "id": metadata.get("id", hit.doc_id),
        "title": metadata.get("title", ""),
        "similarity_score": round(hit.score, 2),
        "severity": metadata.get("severity"),
        "state": metadata.get("state"),
        "created_at": metadata.get("created_at"),
    }
    if metadata.get("resolution"):
        entry["resolution"] = metadata["resolution"]
    return entry


class SimilarIncidents:
    def __init__(self, embedder: Embedder, index: VectorIndex):
        self._embedder = embedder
        self._index = index

    def index_incident(self, incident: Incident, resolution: str | None = None) -> None:
        """Store (or refresh, e.g. once resolved) the incident's vector under its workspace."""
        self.index_incidents([(incident, resolution)])

    def index_incidents(self, incidents: Iterable[tuple[Incident, str | None]]) -> None:
        """Store many at once: one embedding call per batch instead of one per incident (backfills)."""
        pairs = list(incidents)
        if not pairs:
            return
        vectors = self._embedder.embed([incident_text(incident) for incident, _ in pairs])
        for (incident, resolution), vector in zip(pairs, vectors, strict=True):
            self._index.upsert(incident.workspace_id, incident.id, vector, incident_metadata(incident, resolution))

    def forget(self, incident: Incident) -> None:
        self._index.delete(incident.workspace_id, incident.id)

    def similar(
        self, incident: Incident, k: int = DEFAULT_K, min_score: float = DEFAULT_MIN_SCORE
    ) -> list[dict[str, Any]]:
        """The workspace's k most similar other incidents scoring at least `min_score`, best first."""
        if k <= 0:
            return []
        [vector] = self._embedder.embed([incident_text(incident)])
        hits = self._index.query(incident.workspace_id, vector, k, exclude_id=incident.id)
        # The index already excludes the incident; checking again costs nothing and the API promises it.
        return [similar_entry(hit) for hit in hits if hit.doc_id != incident.id and hit.score >= min_score]

    def similar_response(
        self, incident: Incident, k: int = DEFAULT_K, min_score: float = DEFAULT_MIN_SCORE
    ) -> dict[str, Any]:
        """The body of GET /incidents/{id}/similar."""
        entries = self.similar(incident, k, min_score)
        return {"incident_id": incident.id, "similar_incidents": entries, "count": len(entries)}

"""Similar incidents, the pure part: the text an incident is embedded from, cosine similarity, ranking."""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

from aisre.incidents.model.incident import Incident

M = TypeVar("M")

# Embedding endpoints bill and truncate by tokens; a runaway description must not dominate or fail the call.
MAX_TEXT_CHARS = 4000

# Labels that say *what* broke. Everything else (pod, instance, fingerprint, timestamps, ids) differs
# between two occurrences of the same problem and would only push them apart.
EMBEDDED_LABELS: tuple[str, ...] = (
    "alertname",
    "alert_name",
    "service",
    "app",
    "app_kubernetes_io_name",
    "app.kubernetes.io/name",
    "component",
    "container",
    "job",
    "deployment",
    "statefulset",
    "daemonset",
    "reason",
    "check",
    "monitor",
    "metric",
)

# Kubernetes draws generated name parts from this vowel-free alphabet (k8s.io/apimachinery rand.SafeEncodeString),
# so "-7d8f9c6b5-x2k4m" is recognisable without mistaking words like "-backend-queue" for a hash.
_SAFE = "bcdfghjklmnpqrstvwxz2456789"
_POD_OF_DEPLOYMENT = re.compile(rf"-[{_SAFE}]{{6,10}}-[{_SAFE}]{{5}}\b")
_POD_SUFFIX = re.compile(rf"-[{_SAFE}]{{5}}$")
_ORDINAL = re.compile(r"-\d+$")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_HEX_ID = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b", re.IGNORECASE)
_INCIDENT_ID = re.compile(r"\binc-[0-9a-z]+\b", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\b\d{6,}\b")
_SPACES = re.compile(r"[ \t]+")


def strip_volatile(text: str) -> str:
    """Remove what differs between two occurrences of one problem: pod hashes, ids, timestamps, long numbers."""
    text = _POD_OF_DEPLOYMENT.sub("", text)
    text = _UUID.sub(" ", text)
    text = _TIMESTAMP.sub(" ", text)
    text = _INCIDENT_ID.sub(" ", text)
    text = _HEX_ID.sub(" ", text)
    text = _LONG_NUMBER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def workload_of_pod(pod: str) -> str:
    """The workload a pod belongs to: its name without the replica-set hash and random suffix (or ordinal)."""
    for pattern in (_POD_OF_DEPLOYMENT, _POD_SUFFIX, _ORDINAL):
        stripped = pattern.sub("", pod)
        if stripped != pod:
            return stripped
    return pod


def incident_text(incident: Incident) -> str:
    """The text an incident is embedded from: what broke and where, never when or which replica."""
    parts: list[str] = [incident.title]
    parts.extend(value for value in (incident.service, incident.deployment, incident.namespace) if value)
    if incident.pod:
        parts.append(workload_of_pod(incident.pod))
    parts.extend(incident.labels[key] for key in EMBEDDED_LABELS if incident.labels.get(key))
    parts.append(incident.description)
    # Alertmanager often carries the human text only in annotations.
    parts.extend(incident.annotations[key] for key in ("summary", "description") if incident.annotations.get(key))
    seen: set[str] = set()
    lines: list[str] = []
    for part in parts:
        cleaned = strip_volatile(part)
        # Service, deployment and a label often repeat one name; once is signal, three times is bias.
        if cleaned and cleaned.lower() not in seen:
            seen.add(cleaned.lower())
            lines.append(cleaned)
    return "\n".join(lines)[:MAX_TEXT_CHARS]


def l2_normalize(vector: Sequence[float]) -> list[float]:
    """The unit vector along `vector` (the zero vector stays zero: it matches nothing)."""
    norm = math.sqrt(math.fsum(x * x for x in vector))
    if norm == 0.0:
        return [0.0] * len(vector)
    return [x / norm for x in vector]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity in [-1, 1]; 0.0 when either vector is zero."""
    if len(a) != len(b):
        raise ValueError(f"vectors of different dimensions: {len(a)} and {len(b)}")
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    if norms == 0.0:
        return 0.0
    # Rounding can push a self-similarity a hair past 1.
    return max(-1.0, min(1.0, dot / norms))


def top_k(scored: Iterable[tuple[str, float, M]], k: int) -> list[tuple[str, float, M]]:
    """The k best (id, score, payload) by score, ties broken by id so results are stable across runs."""
    if k <= 0:
        return []
    return heapq.nsmallest(k, scored, key=lambda hit: (-hit[1], hit[0]))


def rank(
    query: Sequence[float],
    candidates: Iterable[tuple[str, Sequence[float], M]],
    k: int,
    *,
    exclude_id: str | None = None,
    min_score: float | None = None,
) -> list[tuple[str, float, M]]:
    """Exact nearest neighbours of `query` among (id, vector, payload), best first."""
    scored = (
        (doc_id, cosine(query, vector), payload) for doc_id, vector, payload in candidates if doc_id != exclude_id
    )
    if min_score is not None:
        scored = (hit for hit in scored if hit[1] >= min_score)
    return top_k(scored, k)

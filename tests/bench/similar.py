"""Similar incidents at scale: the embedded vector index (adapters/vector_memory.py) loaded with 100,000
incidents embedded by the local embedder (384 dimensions), then queried as /incidents/{id}/similar queries it
(top 10, the incident itself excluded). Prints the query time percentiles, the index's memory, and how often
its top 10 is the top 10 of an exact brute-force search.

`python -m tests.bench similar` (SIMILAR_DOCS=20000 for a quicker run). About a minute: embedding 100,000
texts in pure Python is most of it.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from aisre.investigations.adapters.embeddings_local import HashingEmbedder
from aisre.investigations.adapters.vector_memory import MemoryVectorIndex
from aisre.investigations.model.similarity import cosine, top_k

DOCS = int(os.environ.get("SIMILAR_DOCS", "100000"))
QUERIES = 1000
CHECKED = 200  # queries whose answer is compared with the brute-force one (each takes a pass in float64)
K = 10
TIE = 1.2e-7  # cosines this close are one score to a float32 index (vector_memory._TIE)
WORKSPACE = "ws-bench"

_SERVICES = [
    f"{name}-{part}"
    for name in ("checkout", "payments", "search", "auth", "cart", "orders", "inventory", "shipping", "billing",
                 "profile", "catalog", "gateway", "notifications", "reports", "ledger")
    for part in ("api", "worker", "db", "cache")
]  # fmt: skip
# (alertname, title, description): {s} service, {n} a number, {z} a zone.
_FAILURES = [
    ("KubePodOOMKilled", "OOMKilled on {s}", "Container {s} was OOMKilled: memory limit {n}Mi exceeded"),
    ("KubePodCrashLooping", "{s} is crash looping", "Pod restarted {n} times in the last 10 minutes"),
    ("HighErrorRate", "High error rate on {s}", "5xx ratio above {n}% for 5 minutes in {z}"),
    ("HighLatency", "p99 latency high on {s}", "p99 latency {n}ms over the 500ms objective"),
    ("HighCPU", "High CPU on {s}", "CPU usage > {n}% for 5 minutes"),
    ("DiskPressure", "Disk pressure on node running {s}", "Node disk usage at {n}% in {z}"),
    ("ImagePullBackOff", "{s} cannot pull its image", "ImagePullBackOff: tag v{n} not found in the registry"),
    ("DNSFailures", "DNS resolution failing in {s}", "NXDOMAIN for upstream lookups from {z}"),
    ("CertificateExpiry", "Certificate expiring for {s}", "TLS certificate expires in {n} days"),
    ("ConnectionPoolExhausted", "Database connection pool exhausted on {s}", "{n} waiting connections"),
    ("QueueBacklog", "Queue backlog growing for {s}", "{n} messages waiting, consumer lag rising"),
    ("ProbeFailures", "Readiness probe failing on {s}", "HTTP probe failed {n} times in {z}"),
    ("JobFailed", "Nightly job of {s} failed", "Job exited with code {n}"),
    ("Throttling", "CPU throttling on {s}", "{n}% of periods throttled"),
    ("ReplicaMismatch", "{s} replicas unavailable", "{n} of the desired replicas are unavailable in {z}"),
]
_NAMESPACES = ("production", "staging", "payments", "platform")
_ZONES = ("us-east-1a", "us-east-1b", "us-east-1c", "eu-west-1a", "eu-west-1b")


def incident_texts(count: int, seed: int = 42) -> list[str]:
    """Texts shaped as model.similarity.incident_text builds them; recurring problems repeat exactly."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        service = rng.choice(_SERVICES)
        alertname, title, description = rng.choice(_FAILURES)
        fill = {"s": service, "n": rng.choice((5, 10, 50, 90, 95, 99, 512, 1024, rng.randrange(1000))),
                "z": rng.choice(_ZONES)}  # fmt: skip
        parts = [title.format(**fill), service, rng.choice(_NAMESPACES), alertname, description.format(**fill)]
        texts.append("\n".join(parts))
    return texts


def _rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_high_water_mark() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # proc(5): resets VmHWM to the current resident set


def _high_water_mark() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _load(vectors: np.ndarray, ids: list[str], metadata: list[dict[str, Any]]) -> MemoryVectorIndex:
    index = MemoryVectorIndex()
    for row, doc_id in enumerate(ids):
        index.upsert(WORKSPACE, doc_id, vectors[row], metadata[row])
    return index


def brute_force(vectors: np.ndarray, ids: list[str], query_row: int) -> list[tuple[str, float, None]]:
    """The exact top K: every document scored (float64), then the ones near the K-th rescored with
    model.similarity.cosine (math.fsum, correctly rounded) and ranked by it, ties by id, as the index promises."""
    scores = vectors @ vectors[query_row]
    scores[query_row] = -np.inf  # the incident itself is excluded
    kth = np.partition(scores, -K)[-K]
    near = np.flatnonzero(scores >= kth - 1e-9)
    query = vectors[query_row].tolist()
    return top_k([(ids[row], cosine(query, vectors[row].tolist()), None) for row in near.tolist()], K)


def agreement(vectors: np.ndarray, query_row: int, answer: list[str], expected: list[tuple[str, float, None]]) -> str:
    """'identical' (ids and order), 'ties' (the same but for documents whose cosines are equal to float32
    precision, 1.2e-7, in another order) or 'different'."""
    if answer == [doc_id for doc_id, _, _ in expected]:
        return "identical"
    query = vectors[query_row].tolist()
    if len(answer) == len(expected) and all(
        abs(cosine(query, vectors[int(doc_id[4:], 16)].tolist()) - score) <= TIE
        for doc_id, (_, score, _) in zip(answer, expected, strict=True)
    ):
        return "ties"
    return "different"


def _calibration(vectors: np.ndarray, queries: list[int]) -> tuple[float, float]:
    """What a query reads (the rows of its non-zero dimensions), and how long this machine takes merely to read
    as much: the floor under the query time, which a loaded machine raises for both alike."""
    nonzero = statistics.mean(int(np.count_nonzero(vectors[row])) for row in queries)
    size = int(nonzero * len(vectors))
    block = np.ones(size, dtype=np.float32)
    times = []
    for _ in range(50):
        begun = time.perf_counter()
        block.sum()
        times.append(time.perf_counter() - begun)
    return round(size * 4 / 1e6, 1), round(statistics.median(times) * 1000, 2)


def run() -> dict[str, Any]:
    started = time.perf_counter()
    embedder = HashingEmbedder()
    texts = incident_texts(DOCS)
    unique = sorted(set(texts))
    row_of = {text: row for row, text in enumerate(unique)}
    distinct = np.empty((len(unique), embedder.dimensions), dtype=np.float64)
    for start in range(0, len(unique), 1000):  # in batches: 100,000 lists of Python floats would take 1 GB
        distinct[start : start + 1000] = embedder.embed(unique[start : start + 1000])
    vectors = distinct[[row_of[text] for text in texts]]
    del distinct, row_of
    ids = [f"inc-{n:012x}" for n in range(DOCS)]
    metadata = [
        {"id": doc_id, "title": text.split("\n", 1)[0], "severity": "critical", "state": "resolved",
         "created_at": "2026-01-01T00:00:00Z", "service": text.split("\n", 2)[1]}
        for doc_id, text in zip(ids, texts, strict=True)
    ]  # fmt: skip
    embed_s = time.perf_counter() - started

    # The index that answers the queries: its load timed, its memory as the process sees it (resident set,
    # and its high-water mark, reset first: growing by realloc should never hold two matrices at once).
    gc.collect()
    rss_before = _rss_bytes()
    _reset_high_water_mark()
    load_started = time.perf_counter()
    index = _load(vectors, ids, metadata)
    load_s = time.perf_counter() - load_started
    rss_delta, rss_peak_delta = _rss_bytes() - rss_before, _high_water_mark() - rss_before
    # Another, traced (tracemalloc counts numpy's buffers too), then dropped. tracemalloc's peak counts a
    # realloc's block twice for a moment, though no page is copied: the resident high-water mark says what is.
    tracemalloc.start()
    traced = _load(vectors, ids, metadata)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced

    rng = random.Random(7)
    queries = [rng.randrange(DOCS) for _ in range(QUERIES)]
    for row in queries[:5]:  # warm up: the first products page the matrix in
        index.query(WORKSPACE, vectors[row], K, exclude_id=ids[row])
    latencies, answers = [], []
    for row in queries:
        begun = time.perf_counter()
        hits = index.query(WORKSPACE, vectors[row], K, exclude_id=ids[row])
        latencies.append(time.perf_counter() - begun)
        answers.append([hit.doc_id for hit in hits])

    verdicts: dict[str, int] = {"identical": 0, "ties": 0, "different": 0}
    overlap = 0.0
    for row, answer in zip(queries[:CHECKED], answers, strict=False):
        expected = brute_force(vectors, ids, row)
        verdicts[agreement(vectors, row, answer, expected)] += 1
        overlap += len(set(answer) & {doc_id for doc_id, _, _ in expected}) / K

    ordered = sorted(latencies)
    read_mb, pass_ms = _calibration(vectors, queries)

    def percentile(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {
        "documents": DOCS,
        "distinct texts": len(unique),
        "dimensions": embedder.dimensions,
        "queries (k=10, self excluded)": QUERIES,
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "max_ms": round(ordered[-1] * 1000, 2),
        "read_mb per query (its non-zero dimensions' rows)": read_mb,
        "floor: np.sum over as many bytes, p50_ms": pass_ms,
        "load average (1 min)": round(os.getloadavg()[0], 2),
        "index_mb (tracemalloc, held)": round(held / 1e6, 1),
        "index_peak_mb (tracemalloc, while loading)": round(peak / 1e6, 1),
        "index_rss_delta_mb": round(rss_delta / 1e6, 1),
        "index_rss_peak_delta_mb (while loading)": round(rss_peak_delta / 1e6, 1),
        "load_s (upserts)": round(load_s, 2),
        "embed_s (texts -> vectors, not the index)": round(embed_s, 1),
        f"top-10 identical to brute force (of {CHECKED})": verdicts["identical"],
        "  the same but float32 ties in another order": verdicts["ties"],
        "  different": verdicts["different"],
        "top-10 mean overlap with brute force": round(overlap / CHECKED, 4),
    }


def report(result: dict[str, Any]) -> None:
    print("\n== Similar incidents: embedded vector index (numpy), one workspace ==")
    for key, value in result.items():
        print(f"{key:<50} {value}")
    print("targets: p95 <= 20 ms, index <= 300 MB at 100,000 incidents, top 10 as brute force")


if __name__ == "__main__":
    report(run())

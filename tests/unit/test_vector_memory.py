"""The embedded vector index (numpy): the same answers as an exact brute-force search in float64, through
upserts, replacements, deletes and workspaces, in bounded memory."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisre.investigations.adapters.vector_memory import MemoryVectorIndex
from aisre.investigations.errors import VectorIndexError
from aisre.investigations.model.similarity import cosine, rank
from aisre.investigations.ports import VectorHit

# Cosines closer than this are one score to a float32 index (vector_memory._TIE): either order is right.
TIE = 1.2e-7


def brute_force(
    docs: dict[str, tuple[list[float], dict[str, Any]]], query: Sequence[float], k: int, exclude_id: str | None = None
) -> list[tuple[str, float, dict[str, Any]]]:
    """The reference: every document scored in float64 (model.similarity.rank), best first, ties by id."""
    return rank(query, ((doc_id, vector, meta) for doc_id, (vector, meta) in docs.items()), k, exclude_id=exclude_id)


def gaussian(rng: random.Random, dimensions: int) -> list[float]:
    return [rng.gauss(0.0, 1.0) for _ in range(dimensions)]


def assert_same(
    docs: dict[str, tuple[list[float], dict[str, Any]]],
    query: Sequence[float],
    k: int,
    hits: list[VectorHit],
    exclude_id: str | None = None,
    reference: list[tuple[str, float, dict[str, Any]]] | None = None,
) -> None:
    """The index answers as brute force: the same documents in the same order, but for documents whose
    cosines are equal to float32 precision, which may come in either order. `reference`: brute force's
    whole ranking, when the caller has it already (its first k are the top k)."""
    reference = (reference if reference is not None else brute_force(docs, query, k, exclude_id))[:k]
    exact = {hit.doc_id: cosine(query, docs[hit.doc_id][0]) for hit in hits}
    assert len(hits) == len(reference)
    for hit, (doc_id, score, _) in zip(hits, reference, strict=True):
        assert hit.doc_id == doc_id or abs(exact[hit.doc_id] - score) <= TIE, (hit, doc_id, score)
        assert hit.doc_id != exclude_id
        assert hit.score == pytest.approx(exact[hit.doc_id], abs=1e-6)
        assert hit.metadata == docs[hit.doc_id][1]
    assert len({hit.doc_id for hit in hits}) == len(hits)


@pytest.mark.parametrize(("documents", "dimensions"), [(1, 3), (65, 8), (700, 384)])
def test_random_vectors_give_the_brute_force_answer(documents: int, dimensions: int) -> None:
    rng = random.Random(documents)
    index = MemoryVectorIndex()
    docs: dict[str, tuple[list[float], dict[str, Any]]] = {}
    for n in range(documents):
        vector = gaussian(rng, dimensions)
        docs[f"doc-{n}"] = (vector, {"n": n})
        index.upsert("ws", f"doc-{n}", vector, {"n": n})
    assert len(index) == documents
    for _ in range(8):
        query = gaussian(rng, dimensions)
        exclude = f"doc-{rng.randrange(documents)}"
        everything = brute_force(docs, query, documents)
        but_one = brute_force(docs, query, documents, exclude)
        for k in (1, 10, documents + 5):
            assert_same(docs, query, k, index.query("ws", query, k, exclude_id=exclude), exclude, but_one)
            assert_same(docs, query, k, index.query("ws", query, k), reference=everything)


def test_identical_vectors_tie_and_are_ordered_by_id() -> None:
    # Recurring incidents embed to the same vector: many exact ties at the k-th place.
    rng = random.Random(7)
    index = MemoryVectorIndex()
    docs: dict[str, tuple[list[float], dict[str, Any]]] = {}
    shared = gaussian(rng, 32)
    for n in rng.sample(range(300), 300):
        vector = shared if n % 3 else gaussian(rng, 32)
        docs[f"inc-{n:03d}"] = (vector, {})
        index.upsert("ws", f"inc-{n:03d}", vector, {})
    for k in (1, 5, 150, 300):
        expected = [doc_id for doc_id, _, _ in brute_force(docs, shared, k)]
        assert [hit.doc_id for hit in index.query("ws", shared, k)] == expected
    # A zero query scores every document 0: all tie, the ids decide.
    assert [hit.doc_id for hit in index.query("ws", [0.0] * 32, 4)] == ["inc-000", "inc-001", "inc-002", "inc-003"]


def test_deletes_leave_the_rest_answering_as_before() -> None:
    rng = random.Random(3)
    index = MemoryVectorIndex()
    docs: dict[str, tuple[list[float], dict[str, Any]]] = {}
    for n in range(500):
        vector = gaussian(rng, 16)
        docs[f"d{n}"] = (vector, {"n": n})
        index.upsert("ws", f"d{n}", vector, {"n": n})
    # Delete from the front, the middle and the end (a swap-remove moves the last row each time), and far
    # enough to shrink the matrix twice.
    for doc_id in [f"d{n}" for n in range(0, 500, 2)] + ["d499", "d1", "d251"] + [f"d{n}" for n in range(3, 400, 2)]:
        index.delete("ws", doc_id)
        docs.pop(doc_id, None)
    index.delete("ws", "never-there")
    index.delete("ws-none", "d3")
    assert len(index) == len(docs) == 49
    for _ in range(10):
        query = gaussian(rng, 16)
        assert_same(docs, query, 10, index.query("ws", query, 10))
    # A deleted id comes back as a new document.
    vector = gaussian(rng, 16)
    index.upsert("ws", "d0", vector, {"back": True})
    docs["d0"] = (vector, {"back": True})
    assert_same(docs, vector, 3, index.query("ws", vector, 3))


def test_an_upsert_replaces_the_vector_and_the_metadata() -> None:
    index = MemoryVectorIndex()
    index.upsert("ws", "a", [1.0, 0.0, 0.0], {"v": 1})
    index.upsert("ws", "b", [0.0, 1.0, 0.0], {"v": 1})
    index.upsert("ws", "a", [0.0, 0.0, 5.0], {"v": 2})
    assert len(index) == 2
    [hit] = index.query("ws", [0.0, 0.0, 1.0], 1)
    assert (hit.doc_id, hit.metadata) == ("a", {"v": 2})
    assert hit.score == pytest.approx(1.0)
    assert index.query("ws", [1.0, 0.0, 0.0], 2)[0].score == pytest.approx(0.0)


def test_metadata_is_a_copy_both_ways() -> None:
    index = MemoryVectorIndex()
    metadata: dict[str, Any] = {"tags": ["oom"]}
    index.upsert("ws", "a", [1.0, 0.0], metadata)
    metadata["tags"].append("changed by the caller")
    [hit] = index.query("ws", [1.0, 0.0], 1)
    hit.metadata["tags"].append("changed by a reader")
    assert index.query("ws", [1.0, 0.0], 1)[0].metadata == {"tags": ["oom"]}


def test_workspaces_never_see_each_other() -> None:
    index = MemoryVectorIndex()
    index.upsert("ws-a", "inc-1", [1.0, 0.0], {"who": "a"})
    index.upsert("ws-b", "inc-1", [0.0, 1.0], {"who": "b"})  # the same id elsewhere is another document
    index.upsert("ws-b", "inc-2", [1.0, 0.0], {"who": "b"})
    assert [(h.doc_id, h.metadata["who"]) for h in index.query("ws-a", [1.0, 0.0], 10)] == [("inc-1", "a")]
    assert [h.doc_id for h in index.query("ws-b", [1.0, 0.0], 10)] == ["inc-2", "inc-1"]
    index.delete("ws-a", "inc-1")
    assert index.query("ws-a", [1.0, 0.0], 10) == []
    assert len(index.query("ws-b", [1.0, 0.0], 10)) == 2
    assert index.query("ws-c", [1.0, 0.0], 10) == []


def test_a_vector_of_another_dimension_is_refused() -> None:
    index = MemoryVectorIndex()
    index.upsert("ws", "a", [1.0, 0.0], {})
    with pytest.raises(VectorIndexError) as refused:
        index.upsert("ws", "b", [1.0, 0.0, 0.0], {})
    assert refused.value.details == {"expected": 2, "got": 3}
    with pytest.raises(VectorIndexError):
        index.query("ws", [1.0, 0.0, 0.0], 1)
    with pytest.raises(VectorIndexError):
        index.query("ws", [1.0, 0.0, 0.0], 0)  # checked before k: a wrong query is wrong whatever it asks
    index.upsert("ws-other", "b", [1.0, 0.0, 0.0], {})  # each workspace has its own
    index.delete("ws", "a")
    index.upsert("ws", "c", [1.0, 0.0, 0.0, 0.0], {})  # an emptied workspace starts over
    assert [hit.doc_id for hit in index.query("ws", [1.0, 0.0, 0.0, 0.0], 5)] == ["c"]


def test_vectors_that_are_not_numbers_are_refused() -> None:
    index = MemoryVectorIndex()
    with pytest.raises(VectorIndexError):
        index.upsert("ws", "a", [1.0, float("nan")], {})
    with pytest.raises(VectorIndexError):
        index.query("ws", [float("inf"), 0.0], 1)
    assert len(index) == 0


def test_the_index_holds_a_vector_in_float32() -> None:
    # 2,000 incidents of the local embedder's 384 dimensions: 3 MB of float32 (6 MB with the matrix's room to
    # grow), where tuples of Python floats took 25 MB.
    rng = random.Random(1)
    vectors = [[rng.random() for _ in range(384)] for _ in range(2000)]
    index = MemoryVectorIndex()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n, vector in enumerate(vectors):
            index.upsert("ws", f"inc-{n:06d}", vector, {"id": f"inc-{n:06d}", "title": "OOMKilled on checkout-api"})
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 2000 * 384 * 4 * 2 + 2000 * 400, f"{held / 1e6:.1f} MB"


operations = st.lists(
    st.tuples(
        st.sampled_from(["upsert", "delete", "query"]),
        st.sampled_from(["ws-a", "ws-b"]),
        st.integers(0, 12),
        st.lists(st.integers(-3, 3), min_size=4, max_size=4),
    ),
    max_size=80,
)


@given(operations)
def test_any_sequence_of_operations_answers_as_brute_force(ops: list[tuple[str, str, int, list[int]]]) -> None:
    # Small integer vectors make exact ties and zero vectors common.
    index = MemoryVectorIndex()
    model: dict[str, dict[str, tuple[list[float], dict[str, Any]]]] = {"ws-a": {}, "ws-b": {}}
    for op, workspace, n, ints in ops:
        vector = [float(x) for x in ints]
        if op == "upsert":
            index.upsert(workspace, f"d{n}", vector, {"n": n, "v": ints})
            model[workspace][f"d{n}"] = (vector, {"n": n, "v": ints})
        elif op == "delete":
            index.delete(workspace, f"d{n}")
            model[workspace].pop(f"d{n}", None)
        else:
            k = n % 5
            assert_same(model[workspace], vector, k, index.query(workspace, vector, k, f"d{n}"), f"d{n}")
    assert len(index) == sum(len(docs) for docs in model.values())

"""An embedded exact vector index for the local profile (and wherever no OpenSearch is configured): cosine over
one contiguous float32 matrix per workspace, on numpy, thread-safe."""

from __future__ import annotations

import math
import pickle
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from aisre.investigations.errors import VectorIndexError
from aisre.investigations.ports import VectorHit

_INITIAL_CAPACITY = 64
# Rows rescored in float64 at a time: bounds the temporary copy when a query ties with very many documents.
_RESCORE_CHUNK = 4096
_FLOAT32_EPS = float(np.finfo(np.float32).eps)
# Stored in float32, each unit vector's cosine with a query is off by at most half an eps (its components'
# rounding, summed under Cauchy-Schwarz): two documents whose cosines are closer than one eps are equal for
# all the index can tell, so they are a tie, broken by id. The hashing embedder makes such ties common: texts
# differing only in words the query lacks score alike in float64, and a hair apart once rounded to float32.
_TIE = _FLOAT32_EPS

Floats = npt.NDArray[np.float64]


def _unit(vector: Sequence[float]) -> Floats:
    """The unit vector along `vector`, in float64 (the zero vector stays zero: it matches nothing)."""
    array = np.asarray(vector, dtype=np.float64)
    if array.ndim != 1:
        raise VectorIndexError("a vector must be a flat sequence of numbers", details={"shape": list(array.shape)})
    if not np.isfinite(array).all():
        raise VectorIndexError("a vector must hold finite numbers only")
    norm = math.sqrt(math.fsum((array * array).tolist()))
    return array / norm if norm > 0.0 else array


class _Space:
    """One workspace's documents: unit vectors in a float32 matrix of `dimensions` rows by `capacity` columns,
    one column a document, the first `size` columns in use; their ids and metadata by column.

    Dimension-major, because the local embedder's vectors are sparse (about 80 of 384 dimensions are not
    zero): a query reads only the rows of its own non-zero dimensions, a fifth of the matrix. A delete moves
    the last column into the freed one (swap-remove), so the columns in use stay contiguous.
    """

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.capacity = _INITIAL_CAPACITY
        # Flat, and reshaped only for the moment it is read: a lasting view would stop it resizing in place.
        self.buffer: npt.NDArray[np.float32] = np.zeros(dimensions * self.capacity, dtype=np.float32)
        self.size = 0
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}  # doc_id -> its column
        # Metadata pickled: about half the memory of a dict of strings (230 bytes a similar-incident entry, not
        # 400), and unpickling hands every caller its own copy, as deepcopy did. Only bytes this process
        # pickled itself are ever unpickled.
        self.metadata: list[bytes] = []

    def _matrix(self) -> npt.NDArray[np.float32]:
        return self.buffer.reshape(self.dimensions, self.capacity)

    def put(self, doc_id: str, unit: Floats, metadata: bytes) -> None:
        column = self.rows.get(doc_id)
        if column is None:
            if self.size == self.capacity:
                self._resize(2 * self.capacity)
            column = self.size
            self.size += 1
            self.rows[doc_id] = column
            self.ids.append(doc_id)
            self.metadata.append(metadata)
        else:
            self.metadata[column] = metadata
        self._matrix()[:, column] = unit

    def remove(self, doc_id: str) -> None:
        column = self.rows.pop(doc_id, None)
        if column is None:
            return
        last = self.size - 1
        if column != last:
            moved = self.ids[last]
            matrix = self._matrix()
            matrix[:, column] = matrix[:, last]
            del matrix
            self.ids[column], self.metadata[column] = moved, self.metadata[last]
            self.rows[moved] = column
        self.ids.pop()
        self.metadata.pop()
        self.size = last
        # Give memory back after mass deletes; shrinking at a quarter (not a half) keeps an upsert/delete
        # pair at the boundary from resizing every time.
        if self.capacity > _INITIAL_CAPACITY and self.size <= self.capacity // 4:
            self._resize(max(_INITIAL_CAPACITY, self.capacity // 2))

    def _resize(self, capacity: int) -> None:
        """Move to `capacity` columns, in place where it can: realloc moves a large block's pages (mremap)
        instead of copying them, so growing never holds the old and the new matrix at once (100 MB and 200 MB
        at 100,000 documents); then each row's columns move to where the new row length puts them."""
        old, rows = self.capacity, self.dimensions
        if capacity > old and not self._realloc(rows * capacity):
            grown = np.zeros((rows, capacity), dtype=np.float32)
            grown[:, : self.size] = self._matrix()[:, : self.size]
            self.buffer = grown.reshape(-1)
        else:
            self._move_rows(old, capacity)
            if capacity < old and not self._realloc(rows * capacity):
                self.buffer = self.buffer[: rows * capacity].copy()  # the new layout is already at the front
        self.capacity = capacity

    def _realloc(self, length: int) -> bool:
        try:
            self.buffer.resize(length, refcheck=True)
        except ValueError:  # a view of the buffer is alive somewhere: it must stay valid, so copy instead
            return False
        return True

    def _move_rows(self, old: int, new: int) -> None:
        # Growing, rows move right: the last first, so none lands on one not yet moved (shrinking: left, the
        # first first). numpy copies through a buffer where a row's source and destination overlap.
        flat, size = self.buffer, self.size
        for row in range(self.dimensions - 1, 0, -1) if new > old else range(1, self.dimensions):
            flat[row * new : row * new + size] = flat[row * old : row * old + size]

    def nearest(self, query: Floats, k: int, exclude_id: str | None) -> list[tuple[str, float, int]]:
        """The k best (doc_id, cosine, column), ties broken by doc_id: what scoring every document in float64
        and sorting would give, at the cost of one pass in float32."""
        matrix = self._matrix()[:, : self.size]
        dimensions = np.flatnonzero(query)
        scores = self._scan(matrix, query, dimensions)
        excluded = self.rows.get(exclude_id) if exclude_id is not None else None
        if excluded is not None:
            scores[excluded] = -np.inf
        wanted = min(k, self.size - (excluded is not None))
        if wanted <= 0:
            return []
        # float32 may misorder documents whose cosines differ by less than its rounding error, at most
        # (dimensions + 1) * eps for unit vectors: every document within that (and a tie) of the k-th best
        # score is a candidate, and the candidates are rescored in float64 and ranked.
        kth = float(np.partition(scores, self.size - wanted)[self.size - wanted])
        margin = (self.dimensions + 1) * _FLOAT32_EPS + 2 * _TIE
        candidates = np.flatnonzero(scores >= kth - margin)
        exact = self._rescore(matrix, query, dimensions, candidates)
        return self._rank(candidates.tolist(), exact, wanted)

    @staticmethod
    def _scan(
        matrix: npt.NDArray[np.float32], query: Floats, dimensions: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.float32]:
        """Every document's cosine in float32."""
        query32 = query.astype(np.float32)
        if 2 * len(dimensions) > len(query):
            return query32 @ matrix  # a dense query: one matrix-vector product over the strided rows
        # A sparse one: only its non-zero dimensions' rows, each a contiguous run of `size` floats.
        scores = np.zeros(matrix.shape[1], dtype=np.float32)
        for dimension in dimensions.tolist():
            scores += query32[dimension] * matrix[dimension]
        return scores

    @staticmethod
    def _rescore(
        matrix: npt.NDArray[np.float32],
        query: Floats,
        dimensions: npt.NDArray[np.intp],
        columns: npt.NDArray[np.intp],
    ) -> list[float]:
        weights = query[dimensions][:, np.newaxis]
        exact: list[float] = []
        for start in range(0, len(columns), _RESCORE_CHUNK):
            block = matrix[np.ix_(dimensions, columns[start : start + _RESCORE_CHUNK])].astype(np.float64)
            # Summed down the rows, element-wise: the same operations for every column.
            exact.extend(np.clip((block * weights).sum(axis=0), -1.0, 1.0).tolist())
        return exact

    def _rank(self, columns: list[int], exact: list[float], wanted: int) -> list[tuple[str, float, int]]:
        """The best `wanted` by score, documents within _TIE of each other taken as one score (the group's
        best), ordered by id."""
        ranked: list[tuple[str, float, int]] = []
        order = sorted(range(len(columns)), key=lambda i: -exact[i])
        start = 0
        while start < len(order) and len(ranked) < wanted:
            end = start + 1
            while end < len(order) and exact[order[end - 1]] - exact[order[end]] <= _TIE:
                end += 1
            best = exact[order[start]]
            ranked.extend(sorted((self.ids[columns[i]], best, columns[i]) for i in order[start:end]))
            start = end
        return ranked[:wanted]


class MemoryVectorIndex:
    """Exact search with no recall to tune: at 100,000 incidents of the local embedder's 384 dimensions a query
    reads about 30 MB of float32 instead of looping over 38 million Python floats (2 s), and the index holds
    230 MB instead of 1.5 GB (tests/bench/similar.py)."""

    def __init__(self) -> None:
        # The workspace is the first key, so a query only ever reads its own workspace's matrix.
        self._spaces: dict[str, _Space] = {}
        # One lock: a query is a few milliseconds of numpy, and every write touches matrix, ids and metadata
        # together, which a reader must never see half done.
        self._lock = threading.Lock()

    def upsert(self, workspace_id: str, doc_id: str, vector: Sequence[float], metadata: Mapping[str, Any]) -> None:
        unit = _unit(vector)
        stored = pickle.dumps(dict(metadata), protocol=pickle.HIGHEST_PROTOCOL)  # the caller may keep mutating it
        with self._lock:
            space = self._spaces.get(workspace_id)
            if space is None:
                space = self._spaces[workspace_id] = _Space(len(unit))
            self._check_dimensions(space, len(unit))
            space.put(doc_id, unit, stored)

    def query(
        self, workspace_id: str, vector: Sequence[float], k: int, exclude_id: str | None = None
    ) -> list[VectorHit]:
        unit = _unit(vector)
        with self._lock:
            space = self._spaces.get(workspace_id)
            if space is None:
                return []
            self._check_dimensions(space, len(unit))
            if k <= 0:
                return []
            best = space.nearest(unit, k, exclude_id)
            found = [(doc_id, score, space.metadata[row]) for doc_id, score, row in best]
        return [VectorHit(doc_id, score, pickle.loads(metadata)) for doc_id, score, metadata in found]

    def delete(self, workspace_id: str, doc_id: str) -> None:
        with self._lock:
            space = self._spaces.get(workspace_id)
            if space is None:
                return
            space.remove(doc_id)
            if space.size == 0:  # an emptied workspace frees its matrix (and may take another dimension)
                del self._spaces[workspace_id]

    def __len__(self) -> int:
        with self._lock:
            return sum(space.size for space in self._spaces.values())

    @staticmethod
    def _check_dimensions(space: _Space, size: int) -> None:
        # A changed embedding model must not silently compare vectors of different spaces.
        if space.dimensions != size:
            raise VectorIndexError(
                f"vector of {size} dimensions in an index of {space.dimensions}",
                details={"expected": space.dimensions, "got": size},
            )

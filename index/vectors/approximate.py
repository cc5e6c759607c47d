"""Shared by the approximate types: quantized candidates, re-scored with exact vectors."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path

import faiss
import numpy as np

from ..errors import IndexCorrupt
from .base import INDEX_FILE, VectorIndex
from .exact_rows import FileRows, MemoryRows
from .io import read_faiss

EXACT_FILE = "vectors.npy"
# How many quantized candidates per wanted result are re-scored exactly. The
# 8-bit codes misorder close neighbours; a wider pool lets exact scores fix that.
RESCORE_FACTOR = 2
RESCORE_MIN = 32
# k-means and SQ training on a sample: enough points per list to place the
# centroids well, few enough that a million-vector build trains in seconds.
TRAIN_POINTS_PER_LIST = 64
TRAIN_MAX = 200_000


class ApproximateIndex(VectorIndex):
    exact = False

    def __init__(self, index: faiss.Index, exact: FileRows | MemoryRows, params: dict):
        self._index = index
        self._exact = exact
        self.params = params
        self.configure(index, params)

    @classmethod
    @abstractmethod
    def factory_string(cls, n: int, params: dict) -> str: ...

    @classmethod
    @abstractmethod
    def configure(cls, index: faiss.Index, params: dict) -> None:
        """Apply the parameters that are not stored in the FAISS file (nprobe, efSearch)."""

    def tune(self, params: dict) -> None:
        """Change the search-time parameters of an open index (nprobe, efSearch)."""
        self.params = {**self.params, **params}
        self.configure(self._index, self.params)

    @classmethod
    def build(cls, vectors: np.ndarray, params: dict) -> ApproximateIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        params = cls.build_params(n, params)
        index = faiss.index_factory(dim, cls.factory_string(n, params), faiss.METRIC_INNER_PRODUCT)
        cls.configure(index, params)
        sample = _training_sample(vectors, params.get("train_points", TRAIN_MAX))
        index.train(sample)
        index.add(vectors)
        return cls(index, MemoryRows(vectors), params)

    @classmethod
    def build_params(cls, n: int, params: dict) -> dict:
        return dict(params)

    @classmethod
    def load(cls, folder: Path, params: dict) -> ApproximateIndex:
        index = read_faiss(folder / INDEX_FILE)
        exact = FileRows(folder / EXACT_FILE)
        if exact.shape != (index.ntotal, index.d):
            exact.close()
            raise IndexCorrupt(f"De exacte vectoren in {folder} horen niet bij de index. Bouw de index opnieuw.")
        return cls(index, exact, params)

    def save(self, folder: Path) -> dict:
        faiss.write_index(self._index, str(folder / INDEX_FILE))
        np.save(folder / EXACT_FILE, np.ascontiguousarray(self._exact.all(), dtype=np.float32))
        return {key: value for key, value in self.params.items() if key != "train_points"}

    def files(self) -> list[str]:
        return [INDEX_FILE, EXACT_FILE]

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, self.size))
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        pool = min(self.size, max(k * RESCORE_FACTOR, RESCORE_MIN))
        _, candidates = self._index.search(queries, pool)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        for row, (query, found) in enumerate(zip(queries, candidates)):
            found = found[found >= 0]
            if not len(found):
                continue
            exact = self.vectors(found) @ query
            order = np.argsort(-exact, kind="stable")[:k]
            scores[row, :len(order)] = exact[order]
            ids[row, :len(order)] = found[order]
        return scores, ids

    def vectors(self, ids) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._exact.rows(ids)

    def all_vectors(self) -> np.ndarray:
        return np.asarray(self._exact.all(), dtype=np.float32)


def _training_sample(vectors: np.ndarray, limit: int) -> np.ndarray:
    if len(vectors) <= limit:
        return vectors
    rows = np.random.default_rng(0).choice(len(vectors), size=limit, replace=False)
    return vectors[np.sort(rows)]

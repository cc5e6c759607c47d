"""Exact search: every query is compared with every vector."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from .base import INDEX_FILE, VectorIndex
from .io import read_faiss


class FlatIndex(VectorIndex):
    kind = "flat"
    exact = True

    def __init__(self, index: faiss.Index):
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, params: dict) -> FlatIndex:
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, folder: Path, params: dict) -> FlatIndex:
        return cls(read_faiss(folder / INDEX_FILE))

    def save(self, folder: Path) -> dict:
        faiss.write_index(self._index, str(folder / INDEX_FILE))
        return {}

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = max(1, min(k, self.size))
        return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def vectors(self, ids) -> np.ndarray:
        if not len(ids):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))

    def all_vectors(self) -> np.ndarray:
        if not self.size:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)

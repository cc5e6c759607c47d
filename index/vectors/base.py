"""What every vector index offers the store: build, save, load, search, vectors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import faiss
import numpy as np

INDEX_FILE = "vectors.faiss"


class VectorIndex(ABC):
    """Every type wraps one FAISS index (`_index`) whose row i is chunk i."""

    kind: ClassVar[str]
    exact: ClassVar[bool]
    _index: faiss.Index

    @classmethod
    @abstractmethod
    def build(cls, vectors: np.ndarray, params: dict) -> VectorIndex:
        """Index normalized float32 vectors; row i gets id i."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path, params: dict) -> VectorIndex:
        """Open what `save` wrote; `params` are the manifest's, with run-time settings applied."""

    @abstractmethod
    def save(self, folder: Path) -> dict:
        """Write the index files into `folder`; returns the parameters for the manifest."""

    @property
    def size(self) -> int:
        return self._index.ntotal

    @property
    def dimension(self) -> int:
        return self._index.d

    @abstractmethod
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k best rows per query, best first; id -1 pads short lists."""

    @abstractmethod
    def vectors(self, ids) -> np.ndarray:
        """The exact stored vectors of some rows."""

    @abstractmethod
    def all_vectors(self) -> np.ndarray:
        """Every stored vector, in row order (for incremental rebuilds)."""

    def files(self) -> list[str]:
        return [INDEX_FILE]

"""The retrieval backend boundary: what qa/ and web/ may ask of an index.

A `Source` says which index version is current and opens it; a `Backend` is
one opened, read-only version. qa/ ranks and fuses, a backend only finds:
dense neighbours, lexical matches, document ranks, and the chunks and
documents behind ids. The default backend keeps everything in local files
(index.backends.local: FAISS, SQLite, BM25 arrays); another may hand the same work to
a search server, as long as ids, scores and analysis mean the same.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from ..types import Chunk, StoredDocument


@dataclass
class Rankings:
    """Candidate ids per query, best first; `dense` and `lexical` have one array per query."""

    dense: list[np.ndarray] = field(default_factory=list)
    lexical: list[np.ndarray] = field(default_factory=list)


class Backend(ABC):
    """One index version, opened for reading; safe to share between threads."""

    name: str = "?"
    manifest: dict

    @property
    @abstractmethod
    def version(self) -> str: ...

    @property
    @abstractmethod
    def size(self) -> int:
        """Number of chunks."""

    def rankings(self, texts: list[str], vectors: np.ndarray, n: int, *, dense: bool = True,
                 lexical: bool = True) -> Rankings:
        """Dense and lexical candidates for each (text, vector) query.

        One call, so that a backend on a server can answer it in one round trip.
        """
        result = Rankings()
        if dense:
            _, ids = self.search(vectors, n)
            result.dense = [row[row >= 0] for row in ids]
        if lexical:
            result.lexical = [self.search_lexical(text, n)[0] for text in texts]
        return result

    @abstractmethod
    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k nearest chunks per query vector (inner product)."""

    @abstractmethod
    def search_lexical(self, text: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the k best chunks by BM25 with the Dutch analysis."""

    @abstractmethod
    def vectors(self, ids) -> np.ndarray:
        """The stored vectors of some chunks, to score candidates found another way."""

    @abstractmethod
    def document_ranks(self, ids: list[int], vector: np.ndarray) -> dict[int, int]:
        """For each chunk id: the 1-based rank of its document among all documents for `vector`."""

    @abstractmethod
    def content_terms(self, text: str) -> list[str]:
        """The text's search terms after Dutch analysis (stopwords dropped)."""

    @abstractmethod
    def query_coverage(self, text: str) -> float:
        """IDF-weighted share of the question's terms that occur in the corpus."""

    @abstractmethod
    def chunks(self, ids: list[int]) -> list[Chunk]:
        """The chunks of these ids, in that order (unknown ids left out)."""

    @abstractmethod
    def document(self, doc_id: str) -> StoredDocument | None: ...

    @abstractmethod
    def documents(self) -> list[StoredDocument]: ...

    @abstractmethod
    def document_chunks(self, doc_id: str) -> list[Chunk]: ...

    def close(self) -> None:
        """Release connections; the backend is not used afterwards."""


class Writer(ABC):
    """What index.build writes one new version through; one writer per build."""

    @abstractmethod
    def open_current(self) -> Backend | None:
        """The version to update from, or None (build everything); IndexCorrupt when it can't be read."""

    @abstractmethod
    def publish(self, version: str, manifest: dict, documents: list[StoredDocument], chunks: list[Chunk],
                vectors: np.ndarray, lexical, notify) -> None:
        """Store the version completely, then make it the current one in one step."""


class Source(ABC):
    """Where versions of one index live: which one is current, opening it, writing a new one."""

    name: str = "?"

    @abstractmethod
    def latest(self) -> str | None:
        """The current version's id (cheap: asked on every request), or None when there is none."""

    @abstractmethod
    def open(self) -> Backend:
        """Open the current version; IndexMissing / IndexCorrupt / BackendUnavailable when it can't."""

    def describe(self) -> dict:
        """For /readyz: the backend and where it reads from (no secrets)."""
        return {"backend": self.name}

    @abstractmethod
    def build_target(self) -> Writer:
        """A fresh writer for one build."""

    @abstractmethod
    def rollback(self) -> tuple[str, str, int]:
        """Make the newest complete version before the current one current: (from, to, its chunks)."""

    @abstractmethod
    def for_index(self, name: str) -> Source:
        """Another index, called `name` (letters, digits, _), in the same backend with the same settings.

        It is kept apart from this one: for local files a folder `name` under
        this root, in Milvus the collection `<collection>_<name>`. The
        evaluation indexes live this way (qa.eval_index).
        """

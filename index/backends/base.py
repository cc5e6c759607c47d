"""The retrieval backend boundary: what qa/ and web/ may ask of an index.

A `Source` says which index version is current and opens it; a `Backend` is
one opened, read-only version. qa/ ranks and fuses, a backend only finds:
`search` answers one question with everything the retriever needs (the dense
and lexical rankings, the candidates' vectors and chunks, their documents'
ranks, the question's coverage) in one call, so that a backend on a server
answers it in one round trip and no backend depends on the order of calls.
The default backend keeps everything in local files (index.backends.local:
FAISS, SQLite, BM25 arrays); another may hand the same work to a search
server, as long as ids, scores and analysis mean the same.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..analysis import DutchAnalyzer
from ..types import Chunk, StoredDocument


@dataclass
class Candidates:
    """What one search finds for one question (and its follow-up query, if any)."""

    dense: list[np.ndarray]  # per query: chunk ids by vector similarity, best first; [] when not asked
    lexical: list[np.ndarray]  # per query: chunk ids by BM25, best first; [] when not asked
    ids: list[int]  # every chunk id in those rankings, ascending
    vectors: np.ndarray  # the stored vectors of `ids`, one row each, in that order
    chunks: dict[int, Chunk]  # the chunks of `ids` (an id the version does not hold is left out)
    coverage: float  # IDF-weighted share of the first query's terms that occur in the corpus
    # per id: its mean similarity to its nearest other chunks, stored at build time (index.neighbours)
    hubness: dict[int, float] = field(default_factory=dict)


class Backend(ABC):
    """One index version, opened for reading; safe to share between threads."""

    name: str = "?"
    manifest: dict
    # Opened for an update from a version of an older format: its chunks and vectors may be
    # copied, but the update must write a version even when no file changed.
    outdated: bool = False
    # The Dutch analysis the version was built with: the retriever counts a question's
    # terms with it before it searches. Local to the process, never a round trip.
    analyzer: DutchAnalyzer

    @property
    @abstractmethod
    def version(self) -> str: ...

    @property
    @abstractmethod
    def size(self) -> int:
        """Number of chunks."""

    @abstractmethod
    def search(self, texts: list[str], vectors: np.ndarray, n: int, *, dense: bool = True,
               lexical: bool = True) -> Candidates:
        """The n best chunks for each (text, vector) query, by inner product and by BM25.

        `dense` and `lexical` say which rankings to make.
        """

    @abstractmethod
    def all_vectors(self) -> np.ndarray:
        """Every chunk vector, row = id: what an update copies for unchanged documents."""

    @abstractmethod
    def neighbour_scores(self) -> np.ndarray:
        """Every chunk's neighbour scores (index.neighbours), row = id: what an update starts from."""

    @abstractmethod
    def chunks(self, ids: list[int]) -> list[Chunk]:
        """The chunks of these ids, in that order (unknown ids left out)."""

    @abstractmethod
    def document(self, doc_id: str) -> StoredDocument | None: ...

    @abstractmethod
    def documents(self) -> list[StoredDocument]: ...

    def document_records(self) -> list[StoredDocument]:
        """Every document as `documents` gives it but with text "": what an update compares, without
        holding every text of the corpus at once (a text is read again with `document`)."""
        return [replace(d, text="") for d in self.documents()]

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
                vectors: np.ndarray, neighbours: np.ndarray, lexical, notify) -> None:
        """Store the version completely, then make it the current one in one step.

        `neighbours` are the chunks' neighbour scores (index.neighbours), one row per chunk.

        A document's `text` may be read from disk each time it is asked for
        (the build keeps texts out of memory): read it once per document, while
        storing that document, and keep no list of texts.
        """


class Source(ABC):
    """Where versions of one index live: which one is current, opening it, writing a new one."""

    name: str = "?"

    @abstractmethod
    def latest(self) -> str | None:
        """The current version's id (cheap: asked on every request), or None when there is none."""

    @abstractmethod
    def open(self) -> Backend:
        """Open the current version; IndexMissing / IndexCorrupt / BackendUnavailable when it can't."""

    def current_manifest(self) -> dict | None:
        """The manifest of the current version (what it was built from, its files), or None without one."""
        if self.latest() is None:
            return None
        backend = self.open()
        try:
            return backend.manifest
        finally:
            backend.close()

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

    def for_collection(self, name: str, folder: Path) -> Source:
        """The index of the collection `name` (index.collections), with the same settings.

        Local files: the versions under `folder`. Milvus: the alias
        `<collection>_c_<name>` (hyphens as underscores), one Milvus
        collection set per Vraagbaak collection, so each switches on its own.
        """
        raise NotImplementedError

    def drop(self) -> None:
        """Remove every version of this index for good (a deleted collection); not the default index."""
        raise NotImplementedError


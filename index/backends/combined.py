"""Several collections' index versions searched as one (a question over more than one collection).

Each collection keeps its own index (index.collections); a question that
may read several asks each version once and merges what they found into one
`Candidates`, so the retriever's fusion and the extractor work unchanged.

What merging decides, and why:

* **Ids.** Chunk `i` of the k-th part becomes `k << ID_BITS | i`: the first
  part keeps its ids, so one collection searched alone is exactly the
  single-index search. Every chunk is stamped with its collection's name.
* **Dense ranking.** By the inner product of the stored vector with the
  query vector: the same model made both, so scores compare across parts.
* **Lexical ranking.** BM25 scores depend on each part's own statistics and
  do not compare; the parts' rankings are interleaved by rank (first of
  each part, then second of each, ...), the parts in the order asked.
* **Document ranks** are not the backends' work: the retriever ranks the
  candidates' documents by their best passage (qa.retrieval.document_ranks),
  across collections as within one.
* **Coverage** is the best part's: a term that occurs in any collection
  searched occurs in the corpus asked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..types import Chunk, StoredDocument
from .base import Backend, Candidates

ID_BITS = 40
_LOW = (1 << ID_BITS) - 1
# Stamped chunks kept per combined search (as index.backends.local keeps its chunks).
STAMPED_CACHE_LIMIT = 20_000


def combined_id(part: int, local_id: int) -> int:
    return (part << ID_BITS) | int(local_id)


def split_id(global_id: int) -> tuple[int, int]:
    return int(global_id) >> ID_BITS, int(global_id) & _LOW


class CombinedBackend(Backend):
    """The current versions of one or more collections, read as one; every chunk says its collection."""

    name = "combined"

    def __init__(self, parts: dict[str, Backend]):
        if not parts:
            raise ValueError("at least one collection")
        self._stamped_chunks: dict[tuple[int, int], Chunk] = {}
        self.names = list(parts)
        self.parts = list(parts.values())
        first = self.parts[0]
        self.analyzer = first.analyzer
        if len(self.parts) == 1:  # one collection: its own manifest (files, model, ...), and its name
            self.manifest = {**first.manifest, "collections": {self.names[0]: first.version}}
            return
        self.manifest = {
            "model": first.manifest.get("model"),
            "dimension": first.manifest.get("dimension"),
            "collections": {name: part.version for name, part in parts.items()},
        }
        for name, part in parts.items():
            if (part.manifest.get("model"), part.manifest.get("dimension")) != (
                    self.manifest["model"], self.manifest["dimension"]):
                self.manifest["model"] = f"{self.manifest['model']} / {name}: {part.manifest.get('model')}"

    @property
    def version(self) -> str:
        """One collection: its version; several: `name:version` for each, joined by `+`."""
        if len(self.parts) == 1:
            return self.parts[0].version
        return "+".join(f"{name}:{part.version}" for name, part in zip(self.names, self.parts))

    @property
    def size(self) -> int:
        return sum(part.size for part in self.parts)

    def part(self, collection: str) -> Backend:
        return self.parts[self.names.index(collection)]

    def search(self, texts: list[str], vectors: np.ndarray, n: int, *, dense: bool = True,
               lexical: bool = True) -> Candidates:
        found = [part.search(texts, vectors, min(n, part.size), dense=dense, lexical=lexical) if part.size else None
                 for part in self.parts]
        if len(self.parts) == 1 and found[0] is not None:
            return self._stamped(found[0])
        dimension = vectors.shape[1]
        ids: list[int] = []
        rows: list[np.ndarray] = []
        chunks: dict[int, Chunk] = {}
        hubness: dict[int, float] = {}
        scored_dense: list[list[tuple[float, int]]] = [[] for _ in range(len(texts) if dense else 0)]
        lexical_parts: list[list[np.ndarray]] = [[] for _ in range(len(texts) if lexical else 0)]
        coverage = 0.0
        for k, (name, candidates) in enumerate(zip(self.names, found)):
            if candidates is None:
                continue
            coverage = max(coverage, candidates.coverage)
            row_of = {local: row for row, local in enumerate(candidates.ids)}
            for q, ranking in enumerate(candidates.dense):
                if len(ranking):
                    scores = candidates.vectors[[row_of[int(i)] for i in ranking]] @ vectors[q]
                    scored_dense[q].extend((float(s), combined_id(k, i)) for s, i in zip(scores, ranking))
            for q, ranking in enumerate(candidates.lexical):
                lexical_parts[q].append(np.array([combined_id(k, i) for i in ranking], dtype=np.int64))
            for local, row in row_of.items():
                gid = combined_id(k, local)
                ids.append(gid)
                rows.append(candidates.vectors[row])
                if local in candidates.chunks:
                    chunks[gid] = self._stamp(k, candidates.chunks[local])
                hubness[gid] = candidates.hubness.get(local, 0.0)
        dense_ids = [np.array([gid for _, gid in sorted(scored, key=lambda t: (-t[0], t[1]))[:n]], dtype=np.int64)
                     for scored in scored_dense]
        lexical_ids = [_interleave(rankings)[:n] for rankings in lexical_parts]
        kept = {int(i) for ranking in dense_ids + lexical_ids for i in ranking}  # what the merged rankings hold
        order = sorted((gid, row) for gid, row in zip(ids, rows) if gid in kept)
        stacked = (np.stack([row for _, row in order]) if order
                   else np.zeros((0, dimension), dtype=np.float32))
        return Candidates(dense_ids, lexical_ids, [gid for gid, _ in order], stacked,
                          {i: c for i, c in chunks.items() if i in kept}, coverage,
                          {i: h for i, h in hubness.items() if i in kept})

    def _stamped(self, candidates: Candidates) -> Candidates:
        candidates.chunks = {i: self._stamp(0, c) for i, c in candidates.chunks.items()}
        return candidates

    def _stamp(self, part: int, chunk: Chunk) -> Chunk:
        """The part's chunk with its combined id and its collection's name; made once per chunk.

        A question reads some 80 candidates, and copying a dataclass is slow
        enough to be a third of a search (docs/performance.md); a version's
        chunks never change, so each copy is kept.
        """
        key = (part, chunk.id)
        stamped = self._stamped_chunks.get(key)
        if stamped is None:
            stamped = replace(chunk, id=combined_id(part, chunk.id), collection=self.names[part])
            if len(self._stamped_chunks) >= STAMPED_CACHE_LIMIT:
                self._stamped_chunks.clear()
            self._stamped_chunks[key] = stamped
        return stamped

    def all_vectors(self) -> np.ndarray:
        raise NotImplementedError("a combined search is read-only; builds read one collection")

    def neighbour_scores(self) -> np.ndarray:
        raise NotImplementedError("a combined search is read-only; builds read one collection")

    def chunks(self, ids: list[int]) -> list[Chunk]:
        by_id: dict[int, Chunk] = {}
        wanted: dict[int, list[int]] = {}
        for gid in ids:
            k, local = split_id(gid)
            if k < len(self.parts):
                wanted.setdefault(k, []).append(local)
        for k, locals_ in wanted.items():
            for chunk in self.parts[k].chunks(locals_):
                by_id[combined_id(k, chunk.id)] = self._stamp(k, chunk)
        return [by_id[i] for i in ids if i in by_id]

    def document(self, doc_id: str, collection: str | None = None) -> StoredDocument | None:
        """A document of `collection` (default: the first collection that has it)."""
        for name, part in zip(self.names, self.parts):
            if collection in (None, name):
                found = part.document(doc_id)
                if found is not None:
                    return found
        return None

    def documents(self) -> list[StoredDocument]:
        return [doc for part in self.parts for doc in part.documents()]

    def document_records(self) -> list[StoredDocument]:
        return [doc for part in self.parts for doc in part.document_records()]

    def document_chunks(self, doc_id: str, collection: str | None = None) -> list[Chunk]:
        for k, (name, part) in enumerate(zip(self.names, self.parts)):
            if collection in (None, name):
                found = part.document_chunks(doc_id)
                if found:
                    return [self._stamp(k, c) for c in found]
        return []

    def close(self) -> None:
        """The parts belong to their collections' engines, which close them."""


def _interleave(rankings: list[np.ndarray]) -> np.ndarray:
    """First of each ranking, then the second of each, ...: for scores that do not compare."""
    merged: list[int] = []
    longest = max((len(r) for r in rankings), default=0)
    for rank in range(longest):
        merged.extend(int(r[rank]) for r in rankings if rank < len(r))
    return np.array(merged, dtype=np.int64)

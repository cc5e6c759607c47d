"""One index version in Milvus, opened for reading (the Backend that qa/ talks to).

Round trips per question (hybrid retrieval, one query or a follow-up's two):

1. rankings(): in parallel, one dense search (all queries at once) and one
   sparse BM25 search (all queries at once), which also return each hit's
   vector and document row; past LOCAL_CENTROIDS_MAX documents also a search
   of the document centroids (below it the centroids are kept in memory).
   Milvus' own hybrid_search is not used: it returns only its fused list, and
   Vraagbaak needs the separate rankings for its weighted fusion (qa/).
2. chunks(): one get of the text and citation fields of the top passages.

vectors() and document_ranks() are answered from what step 1 brought back
(kept per thread, for the question in progress) and ask Milvus only for what
is missing; query_coverage() and content_terms() run locally on the lexicon
loaded when the version was opened.
"""

from __future__ import annotations

import json
import threading

import numpy as np

from ...errors import IndexCorrupt
from ...types import Chunk
from ..base import Backend, Rankings, StoredDocument
from .client import (MAX_ROWS, Connection, decode_pieces, documents_collection, meta_collection, quote,
                     version_collection)
from .lexicon import Vocabulary, analyzer_from
from .schema import CHUNK_FIELDS, DOCUMENT_FIELDS

FORMAT_VERSION = 3
MANIFEST = "manifest"
LEXICAL = "lexical"
LEXICON = "lexicon"
VOCABULARY = "vocabulary"
# Up to this many documents every replica keeps the centroids in memory (77 MB at 384 dimensions)
# and ranks documents itself, exactly as the local backend; beyond, Milvus searches them.
LOCAL_CENTROIDS_MAX = 50_000


def read_blob(conn: Connection, collection: str, name: str) -> bytes | None:
    rows = conn.call("query", collection, filter=f"name == {quote(name)}", output_fields=["part", "data"],
                     limit=MAX_ROWS)
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: r["part"])
    if [r["part"] for r in rows] != list(range(len(rows))):
        raise IndexCorrupt(f"De indexgegevens '{name}' in Milvus zijn onvolledig; bouw de index opnieuw.")
    return decode_pieces([r["data"] for r in rows])


def read_manifest(conn: Connection, name: str, version: str) -> dict | None:
    """The manifest of a version, or None when that version is incomplete."""
    data = read_blob(conn, meta_collection(name, version), MANIFEST)
    if data is None:
        return None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise IndexCorrupt(f"Het manifest van indexversie {version} in Milvus is onleesbaar.") from exc
    if manifest.get("milvus_format") != FORMAT_VERSION:
        raise IndexCorrupt(f"Indexversie {version} in Milvus heeft formaat {manifest.get('milvus_format')!r}, "
                           f"deze versie van Vraagbaak leest formaat {FORMAT_VERSION}. Bouw de index opnieuw.")
    return manifest


def _chunk(row: dict) -> Chunk:
    return Chunk(row["doc_id"], row["title"], row.get("heading"), int(row["paragraph"]), row["text"],
                 int(row["span_start"]), int(row["span_end"]), int(row["line_start"]), int(row["line_end"]),
                 _optional_int(row.get("page")), _optional_int(row.get("page_end")), row.get("kind") or "paragraph",
                 row.get("context"), bool(row.get("ocr")), id=int(row["id"]))


def _optional_int(value) -> int | None:
    return None if value is None else int(value)


def _document(row: dict) -> StoredDocument:
    # The full document text is not kept in Milvus: answers, citations and the
    # document page are all built from the chunks.
    return StoredDocument(row["doc_id"], row["title"], row["kind"], row["sha256"], "")


class MilvusBackend(Backend):
    """One complete version: `<name>_<version>` and its _docs and _meta collections."""

    name = "milvus"

    def __init__(self, conn: Connection, collection: str, version: str):
        self.conn = conn
        self.base = collection
        self._version = version
        self.chunks_collection = version_collection(collection, version)
        self.documents_collection = documents_collection(collection, version)
        self.meta_collection = meta_collection(collection, version)
        self._ensure_loaded()
        manifest = read_manifest(conn, collection, version)
        if manifest is None:
            raise IndexCorrupt(f"Indexversie {version} in Milvus is onvolledig (geen manifest).")
        self.manifest = manifest
        lexical = json.loads((read_blob(conn, self.meta_collection, LEXICAL) or b"{}").decode("utf-8"))
        lexicon = read_blob(conn, self.meta_collection, LEXICON)
        vocabulary = read_blob(conn, self.meta_collection, VOCABULARY)
        if not lexical or lexicon is None or vocabulary is None:
            raise IndexCorrupt(f"De woordindex van indexversie {version} in Milvus ontbreekt.")
        self.analyzer = analyzer_from(lexical["analyzer"], lexicon.decode("utf-8"))
        self.vocabulary = Vocabulary.from_bytes(vocabulary, int(lexical["n_docs"]))
        self._size = int(manifest.get("chunks", 0))
        self.n_documents = int(manifest.get("documents", 0))
        if self.vocabulary.n_docs != self._size:
            raise IndexCorrupt(f"De woordindex van indexversie {version} in Milvus hoort niet bij de passages.")
        # As the version was built (ivf: nprobe, hnsw: ef), unless the settings say otherwise.
        params = dict((manifest.get("dense_index") or {}).get("search") or {})
        overrides = {"nprobe": conn.options.nprobe, "ef": conn.options.ef_search}
        params.update({k: v for k, v in overrides.items() if v and k in params})
        self._search_params = params
        self._local = threading.local()
        self.centroids = self._load_centroids() if 0 < self.n_documents <= LOCAL_CENTROIDS_MAX else None

    def _load_centroids(self) -> np.ndarray:
        centroids = np.zeros((self.n_documents, int(self.manifest["dimension"])), dtype=np.float32)
        for row in self._all_rows(self.documents_collection, "row", self.n_documents, ["row", "centroid"],
                                  page=4096):
            centroids[int(row["row"])] = row["centroid"]
        return centroids

    def _ensure_loaded(self) -> None:
        """After a restart of Milvus (or a rollback) a version may be released; loading is idempotent."""
        for collection in (self.chunks_collection, self.documents_collection, self.meta_collection):
            state = self.conn.call("get_load_state", collection).get("state")
            if getattr(state, "name", str(state)) != "Loaded":
                self.conn.call("load_collection", collection, replica_number=self.conn.options.replicas)

    @property
    def version(self) -> str:
        return self._version

    @property
    def size(self) -> int:
        return self._size

    # -- retrieval ---------------------------------------------------------------------------

    def rankings(self, texts: list[str], vectors: np.ndarray, n: int, *, dense: bool = True,
                 lexical: bool = True) -> Rankings:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        calls, kinds = [], []
        if dense and n > 0:
            calls.append(("search", (self.chunks_collection,), dict(
                data=vectors.tolist(), anns_field="dense", limit=n, output_fields=["dense", "doc_row"],
                search_params={"metric_type": "IP", "params": self._search_params})))
            kinds.append("dense")
        sparse_queries = [self.vocabulary.query_vector(self.analyzer, t) for t in texts] if lexical else []
        asked = [i for i, q in enumerate(sparse_queries) if q]
        if asked and n > 0:
            calls.append(("search", (self.chunks_collection,), dict(
                data=[sparse_queries[i] for i in asked], anns_field="sparse", limit=n,
                output_fields=["dense", "doc_row"], search_params={"metric_type": "IP"})))
            kinds.append("lexical")
        doc_vector = vectors[-1] if len(vectors) else None
        if dense and lexical and self.n_documents and doc_vector is not None and self.centroids is None:
            # The retriever ranks documents against the last query vector next: ask now, in parallel.
            calls.append(("search", (self.documents_collection,), dict(
                data=[doc_vector.tolist()], anns_field="centroid", limit=min(self.n_documents, MAX_ROWS),
                output_fields=[], search_params={"metric_type": "IP"})))
            kinds.append("documents")
        answers = dict(zip(kinds, self.conn.parallel(calls)))

        seen: dict[int, tuple[np.ndarray, int]] = {}
        result = Rankings()
        if "dense" in answers:
            result.dense = [self._ranking(hits, seen, tie_break=False) for hits in answers["dense"]]
        if lexical:
            per_query = [np.empty(0, dtype=np.int64)] * len(texts)
            for i, hits in zip(asked, answers.get("lexical", [])):
                per_query[i] = self._ranking(hits, seen, tie_break=True)
            result.lexical = per_query
        cache = self._cache()
        cache["hits"] = seen
        if "documents" in answers:
            cache["documents"] = (doc_vector.tobytes(), self._document_ranking(answers["documents"][0]))
        return result

    @staticmethod
    def _ranking(hits, seen: dict, *, tie_break: bool) -> np.ndarray:
        rows = []
        for hit in hits:
            entity = hit.get("entity", {})
            chunk_id = int(hit["id"])
            if "dense" in entity:
                seen[chunk_id] = (entity["dense"], int(entity["doc_row"]))
            rows.append((chunk_id, float(hit["distance"])))
        if tie_break:
            # As LexicalIndex.search: only positive scores, equal scores by id.
            rows = sorted((r for r in rows if r[1] > 0), key=lambda r: (-r[1], r[0]))
        return np.array([r[0] for r in rows], dtype=np.int64)

    @staticmethod
    def _document_ranking(hits) -> dict[int, int]:
        ordered = sorted(((float(h["distance"]), int(h["row"])) for h in hits), key=lambda t: (-t[0], t[1]))
        return {row: rank for rank, (_, row) in enumerate(ordered, 1)}

    def _cache(self) -> dict:
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        return cache

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.manifest["dimension"])
        answers = self.conn.call("search", self.chunks_collection, data=vectors.tolist(), anns_field="dense",
                                 limit=k, search_params={"metric_type": "IP", "params": self._search_params})
        scores = np.full((len(vectors), k), -np.inf, dtype=np.float32)
        ids = np.full((len(vectors), k), -1, dtype=np.int64)
        for q, hits in enumerate(answers):
            for j, hit in enumerate(hits[:k]):
                ids[q, j], scores[q, j] = int(hit["id"]), float(hit["distance"])
        return scores, ids

    def search_lexical(self, text: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        query = self.vocabulary.query_vector(self.analyzer, text)
        if not query or k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        hits = self.conn.call("search", self.chunks_collection, data=[query], anns_field="sparse", limit=k,
                              search_params={"metric_type": "IP"})[0]
        rows = sorted(((int(h["id"]), float(h["distance"])) for h in hits if h["distance"] > 0),
                      key=lambda r: (-r[1], r[0]))
        return (np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.float32))

    def vectors(self, ids) -> np.ndarray:
        ids = [int(i) for i in ids]
        known = self._cache().get("hits", {})
        missing = [i for i in ids if i not in known]
        fetched = {}
        if missing:
            for row in self.conn.call("get", self.chunks_collection, ids=missing, output_fields=["dense"]):
                fetched[int(row["id"])] = row["dense"]
        out = np.empty((len(ids), int(self.manifest["dimension"])), dtype=np.float32)
        for j, i in enumerate(ids):
            out[j] = known[i][0] if i in known else fetched[i]
        return out

    def document_ranks(self, ids: list[int], vector: np.ndarray) -> dict[int, int]:
        ids = [int(i) for i in ids]
        cache = self._cache()
        known = cache.get("hits", {})
        rows = {i: known[i][1] for i in ids if i in known}
        missing = [i for i in ids if i not in rows]
        if missing:
            for row in self.conn.call("get", self.chunks_collection, ids=missing, output_fields=["doc_row"]):
                rows[int(row["id"])] = int(row["doc_row"])
        vector = np.asarray(vector, dtype=np.float32)
        if self.centroids is not None:  # as LocalBackend.document_ranks
            doc_rank = np.empty(len(self.centroids), dtype=np.int64)
            doc_rank[np.argsort(-(self.centroids @ vector), kind="stable")] = np.arange(1, len(self.centroids) + 1)
            return {i: int(doc_rank[rows[i]]) for i in ids}
        cached = cache.get("documents")
        if cached is not None and cached[0] == vector.tobytes():
            ranking = cached[1]
        else:
            hits = self.conn.call("search", self.documents_collection, data=[vector.tolist()],
                                  anns_field="centroid", limit=min(self.n_documents, MAX_ROWS),
                                  output_fields=[], search_params={"metric_type": "IP"})[0]
            ranking = self._document_ranking(hits)
        unranked = sorted({r for r in rows.values() if r not in ranking})
        if unranked:
            # Only past MAX_ROWS documents: those beyond get ranks after the last one Milvus returned,
            # in their own order -- a lower bound, worth less than 0.3 / 16394 in the fusion.
            got = self.conn.call("get", self.documents_collection, ids=unranked, output_fields=["centroid"])
            scored = sorted(((-float(np.dot(np.asarray(r["centroid"], np.float32), vector)), int(r["row"]))
                             for r in got))
            ranking = {**ranking, **{row: len(ranking) + k for k, (_, row) in enumerate(scored, 1)}}
        return {i: ranking[rows[i]] for i in ids}

    def content_terms(self, text: str) -> list[str]:
        return self.analyzer.content_terms(text)

    def query_coverage(self, text: str) -> float:
        return self.vocabulary.coverage(self.analyzer, text)

    # -- chunks and documents ----------------------------------------------------------------

    def chunks(self, ids: list[int]) -> list[Chunk]:
        if not ids:
            return []
        rows = self.conn.call("get", self.chunks_collection, ids=[int(i) for i in ids],
                              output_fields=["id", *CHUNK_FIELDS])
        by_id = {int(r["id"]): _chunk(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.conn.call("query", self.chunks_collection, filter=f"doc_id == {quote(doc_id)}",
                              output_fields=["id", *CHUNK_FIELDS], limit=MAX_ROWS)
        return sorted((_chunk(r) for r in rows), key=lambda c: c.id)

    def document(self, doc_id: str) -> StoredDocument | None:
        rows = self.conn.call("query", self.documents_collection, filter=f"doc_id == {quote(doc_id)}",
                              output_fields=list(DOCUMENT_FIELDS), limit=1)
        return _document(rows[0]) if rows else None

    def documents(self) -> list[StoredDocument]:
        rows = self._all_rows(self.documents_collection, "row", self.n_documents, list(DOCUMENT_FIELDS))
        return sorted((_document(r) for r in rows), key=lambda d: d.doc_id)

    def all_vectors(self) -> np.ndarray:
        """Every chunk vector, row = id: what an update copies for unchanged documents."""
        out = np.zeros((self._size, int(self.manifest["dimension"])), dtype=np.float32)
        for row in self._all_rows(self.chunks_collection, "id", self._size, ["id", "dense"], page=4096):
            out[int(row["id"])] = row["dense"]
        return out

    def _all_rows(self, collection: str, key: str, count: int, fields: list[str], page: int = MAX_ROWS):
        """Rows with key 0..count-1 in pages by key range (ids are dense), fewer than Milvus' row cap each."""
        for start in range(0, count, page):
            yield from self.conn.call("query", collection, filter=f"{key} >= {start} and {key} < {start + page}",
                                      output_fields=fields, limit=page)

    def close(self) -> None:
        self._local = threading.local()

"""One index version in Milvus, opened for reading (the Backend that qa/ talks to).

One round trip per question (hybrid retrieval, one query or a follow-up's two):
search() sends in parallel one dense search (all queries at once) and one
sparse BM25 search (all queries at once), whose hits bring back each chunk's
vector, hubness and citation fields. Milvus' own hybrid_search is not used: it returns
only its fused list, and Vraagbaak needs the separate rankings for its
weighted fusion (qa/). The question's coverage and its terms come from the
lexicon loaded when the version was opened.
"""

from __future__ import annotations

import io
import json

import numpy as np

from ...analysis import DutchAnalyzer
from ...errors import IndexCorrupt
from ...types import Chunk
from ..base import Backend, Candidates, StoredDocument
from .client import (MAX_ROWS, Connection, decode_pieces, documents_collection, meta_collection, quote,
                     version_collection)
from .lexicon import Vocabulary, analyzer_from
from .schema import CHUNK_FIELDS, DOCUMENT_FIELDS

FORMAT_VERSION = 5
# An update may copy chunks and vectors from these (3: no hubness; 4: document centroids; see index.store).
REUSABLE_FORMATS = (3, 4)
MANIFEST = "manifest"
LEXICAL = "lexical"
LEXICON = "lexicon"
VOCABULARY = "vocabulary"
NEIGHBOURS = "neighbours"  # the chunks' neighbour scores (index.neighbours), as .npy bytes: what an update reads
# What a search brings back of each hit: all the retriever needs, so no second request follows.
HIT_FIELDS = ("dense", "hubness", *CHUNK_FIELDS)


def read_blob(conn: Connection, collection: str, name: str) -> bytes | None:
    rows = conn.call("query", collection, filter=f"name == {quote(name)}", output_fields=["part", "data"],
                     limit=MAX_ROWS)
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: r["part"])
    if [r["part"] for r in rows] != list(range(len(rows))):
        raise IndexCorrupt(f"De indexgegevens '{name}' in Milvus zijn onvolledig; bouw de index opnieuw.")
    return decode_pieces([r["data"] for r in rows])


def read_manifest(conn: Connection, name: str, version: str, *, any_format: bool = False,
                  reusable: bool = False) -> dict | None:
    """The manifest of a version, or None when that version is incomplete (see index.store.read_manifest
    for `any_format` and `reusable`)."""
    data = read_blob(conn, meta_collection(name, version), MANIFEST)
    if data is None:
        return None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise IndexCorrupt(f"Het manifest van indexversie {version} in Milvus is onleesbaar.") from exc
    accepted = (FORMAT_VERSION, *REUSABLE_FORMATS) if reusable else (FORMAT_VERSION,)
    if manifest.get("milvus_format") not in accepted and not any_format:
        raise IndexCorrupt(f"Indexversie {version} in Milvus heeft formaat {manifest.get('milvus_format')!r}, "
                           f"deze versie van Vraagbaak leest formaat {FORMAT_VERSION}. Bouw de index opnieuw met: "
                           "vraagbaak index <map met documenten>")
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

    def __init__(self, conn: Connection, collection: str, version: str, *, to_update: bool = False):
        """`to_update`: opened only for a build to copy from (a reusable older format is accepted)."""
        self.conn = conn
        self.base = collection
        self._version = version
        self.chunks_collection = version_collection(collection, version)
        self.documents_collection = documents_collection(collection, version)
        self.meta_collection = meta_collection(collection, version)
        self._ensure_loaded()
        manifest = read_manifest(conn, collection, version, reusable=to_update)
        if manifest is None:
            raise IndexCorrupt(f"Indexversie {version} in Milvus is onvolledig (geen manifest).")
        self.manifest = manifest
        self.outdated = manifest.get("milvus_format") != FORMAT_VERSION
        lexical = json.loads((read_blob(conn, self.meta_collection, LEXICAL) or b"{}").decode("utf-8"))
        lexicon = read_blob(conn, self.meta_collection, LEXICON)
        vocabulary = read_blob(conn, self.meta_collection, VOCABULARY)
        if not lexical or lexicon is None or vocabulary is None:
            raise IndexCorrupt(f"De woordindex van indexversie {version} in Milvus ontbreekt.")
        self._analyzer = analyzer_from(lexical["analyzer"], lexicon.decode("utf-8"))
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

    @property
    def analyzer(self) -> DutchAnalyzer:
        return self._analyzer

    def search(self, texts: list[str], vectors: np.ndarray, n: int, *, dense: bool = True,
               lexical: bool = True) -> Candidates:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        sparse_queries = [self.vocabulary.query_vector(self.analyzer, t) for t in texts] if lexical else []
        asked = [i for i, q in enumerate(sparse_queries) if q]
        calls, kinds = [], []
        if dense and n > 0:
            calls.append(self._chunk_search(vectors.tolist(), "dense", n, self._search_params))
            kinds.append("dense")
        if asked and n > 0:
            calls.append(self._chunk_search([sparse_queries[i] for i in asked], "sparse", n, None))
            kinds.append("lexical")
        answers = dict(zip(kinds, self.conn.parallel(calls)))

        rows: dict[int, dict] = {}
        dense_ids = [self._ranking(hits, rows, tie_break=False) for hits in answers.get("dense", [])]
        lexical_ids = []
        if lexical:
            lexical_ids = [np.empty(0, dtype=np.int64)] * len(texts)
            for i, hits in zip(asked, answers.get("lexical", [])):
                lexical_ids[i] = self._ranking(hits, rows, tie_break=True)
        ids = sorted({int(i) for ranking in dense_ids + lexical_ids for i in ranking})
        self._complete(rows, ids)
        found = np.empty((len(ids), int(self.manifest["dimension"])), dtype=np.float32)
        for j, i in enumerate(ids):
            found[j] = rows[i]["dense"]
        return Candidates(dense_ids, lexical_ids, ids, found, {i: _chunk(rows[i]) for i in ids},
                          self.vocabulary.coverage(self.analyzer, texts[0]),
                          {i: float(rows[i]["hubness"]) for i in ids})

    def _chunk_search(self, data: list, field: str, n: int, params: dict | None) -> tuple[str, tuple, dict]:
        """A search of the chunks that brings back each hit's vector, hubness and citation fields."""
        search_params = {"metric_type": "IP", **({"params": params} if params is not None else {})}
        return ("search", (self.chunks_collection,), dict(
            data=data, anns_field=field, limit=n, output_fields=list(HIT_FIELDS), search_params=search_params))

    @staticmethod
    def _ranking(hits, rows: dict, *, tie_break: bool) -> np.ndarray:
        ranked = []
        for hit in hits:
            chunk_id = int(hit["id"])
            entity = hit.get("entity", {})
            if all(name in entity for name in HIT_FIELDS):
                rows[chunk_id] = {**entity, "id": chunk_id}
            ranked.append((chunk_id, float(hit["distance"])))
        if tie_break:
            # As LexicalIndex.search: only positive scores, equal scores by id.
            ranked = sorted((r for r in ranked if r[1] > 0), key=lambda r: (-r[1], r[0]))
        return np.array([r[0] for r in ranked], dtype=np.int64)

    def _complete(self, rows: dict, ids: list[int]) -> None:
        """Fetch the rows of candidates whose hit came back without all fields (not expected: one get)."""
        missing = [i for i in ids if i not in rows]
        if missing:
            for row in self.conn.call("get", self.chunks_collection, ids=missing, output_fields=["id", *HIT_FIELDS]):
                rows[int(row["id"])] = row

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

    def neighbour_scores(self) -> np.ndarray:
        data = read_blob(self.conn, self.meta_collection, NEIGHBOURS)
        try:
            scores = np.load(io.BytesIO(data), allow_pickle=False) if data is not None else None
        except ValueError:
            scores = None
        if scores is None or len(scores) != self._size:
            raise IndexCorrupt(f"De burenscores van indexversie {self._version} in Milvus ontbreken of kloppen niet.")
        return scores

    def _all_rows(self, collection: str, key: str, count: int, fields: list[str], page: int = MAX_ROWS):
        """Rows with key 0..count-1 in pages by key range (ids are dense), fewer than Milvus' row cap each."""
        for start in range(0, count, page):
            yield from self.conn.call("query", collection, filter=f"{key} >= {start} and {key} < {start + page}",
                                      output_fields=fields, limit=page)

    def close(self) -> None:
        """Nothing to release: the connection belongs to the source."""

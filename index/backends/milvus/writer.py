"""Writing a version to Milvus and switching readers to it through the alias.

A build writes a complete new version (three collections), flushes, indexes
and loads it, and only then points the alias `<name>` at it, so readers never
see a half-built version. The previous version stays (loaded, for requests
still on it, and for rollback); older ones are dropped. Two builds at once
against one Milvus are caught when the second one switches: the alias no
longer points where it did when that build started, so it drops its own
collections and stops.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable

import numpy as np

from ...errors import VraagbaakError
from ...lexical import LexicalIndex
from ...neighbours import hubness
from ...types import Chunk
from ..base import StoredDocument, Writer
from .backend import (FORMAT_VERSION, LEXICAL, LEXICON, MANIFEST, NEIGHBOURS, VOCABULARY, MilvusBackend,
                      read_blob, read_manifest)
from .client import (VERSION_PATTERN, Connection, documents_collection, encode_pieces, meta_collection,
                     version_collection)
from .lexicon import Vocabulary, lexicon_text, sparse_rows
from .schema import (TEXT, chunk_index_params, chunks_schema, dense_index, documents_schema, meta_schema,
                     unused_index_params)

log = logging.getLogger(__name__)

INSERT_ROWS = 1000  # per insert request: a few MB, far below gRPC's message limit
PUBLISHED = "published"
# Readers notice a new alias within a second (LATEST_TTL) and finish the question in progress on the
# old version: a version is released or dropped only this long after it stopped being current.
RETIRE_GRACE = 5.0


def current_version(conn: Connection, name: str) -> str | None:
    """The version the alias points at, or None when there is no index yet."""
    if name not in conn.call("list_aliases").get("aliases", []):
        return None
    target = conn.call("describe_alias", name).get("collection_name", "")
    match = re.fullmatch(rf"{re.escape(name)}_({VERSION_PATTERN})", target)
    return match.group(1) if match else None


def stored_versions(conn: Connection, name: str) -> list[str]:
    """Every version with a chunk collection, complete or not, oldest first."""
    pattern = re.compile(rf"{re.escape(name)}_({VERSION_PATTERN})")
    return sorted(m.group(1) for m in map(pattern.fullmatch, conn.call("list_collections")) if m)


def _collections(name: str, version: str) -> tuple[str, str, str]:
    return version_collection(name, version), documents_collection(name, version), meta_collection(name, version)


def drop_version(conn: Connection, name: str, version: str) -> None:
    existing = set(conn.call("list_collections"))
    for collection in _collections(name, version):
        if collection in existing:
            conn.call("drop_collection", collection)


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
    return out.getvalue()


def _fits(value: str | None, what: str, doc_id: str) -> None:
    if value is not None and len(value.encode("utf-8")) > TEXT:
        raise VraagbaakError(f"{doc_id}: {what} is langer dan {TEXT} bytes en past niet in Milvus.")


class MilvusWriter(Writer):
    """Builds into one index (alias) in Milvus: what index.build needs besides reading files."""

    def __init__(self, conn: Connection, name: str):
        self.conn = conn
        self.name = name
        # Where the alias pointed when this build started: the switch checks it still does.
        self.started_from = current_version(conn, name)

    def open_current(self) -> MilvusBackend | None:
        """The version to update from, or None (build everything)."""
        if self.started_from is None:
            return None
        return MilvusBackend(self.conn, self.name, self.started_from, to_update=True)

    def publish(self, version: str, manifest: dict, documents: list[StoredDocument], chunks: list[Chunk],
                vectors: np.ndarray, neighbours: np.ndarray, lexical: LexicalIndex,
                notify: Callable[[str, int, int], None] = lambda *a: None) -> None:
        conn, options = self.conn, self.conn.options
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(chunks), int(manifest["dimension"]))
        self._release_old()
        names = _collections(self.name, version)
        try:
            self._write(version, names, manifest, documents, chunks, vectors, neighbours, lexical, notify)
            for collection in names:
                conn.call("flush", collection)
            conn.call("create_index", names[0], chunk_index_params(conn.client(), options, len(chunks)))
            conn.call("create_index", names[1], unused_index_params(conn.client()))
            conn.call("create_index", names[2], unused_index_params(conn.client()))
            for collection in names:
                conn.call("load_collection", collection, replica_number=options.replicas)
            now = current_version(conn, self.name)
            if now != self.started_from:
                raise VraagbaakError(
                    f"Een andere indexbouw heeft de index in Milvus intussen omgezet naar versie {now}; "
                    "deze bouw wordt afgebroken. Draai maar één indexbouw tegelijk.")
            if now is None:
                conn.call("create_alias", names[0], self.name)
            else:
                conn.call("alter_alias", names[0], self.name)
        except BaseException:
            try:
                drop_version(conn, self.name, version)
            except VraagbaakError:
                log.warning("Halve indexversie %s kon niet worden opgeruimd", version)
            raise
        self._put(names[2], PUBLISHED, json.dumps({"at": time.time()}).encode("utf-8"))
        log.info("Milvus-alias %s wijst nu naar %s", self.name, names[0])
        self._prune(version, self.started_from)

    def _write(self, version, names, manifest, documents, chunks, vectors, neighbours, lexical, notify) -> None:
        conn, options = self.conn, self.conn.options
        dimension = int(manifest["dimension"])
        conn.call("create_collection", names[0], schema=chunks_schema(dimension), num_shards=options.shards)
        conn.call("create_collection", names[1], schema=documents_schema())
        conn.call("create_collection", names[2], schema=meta_schema())

        vocabulary, dimension_of = Vocabulary.from_lexical(lexical)
        sparse = sparse_rows(lexical, dimension_of)
        hubs = hubness(neighbours)
        counts = Counter(c.doc_id for c in chunks)
        if set(counts) != {d.doc_id for d in documents}:
            raise VraagbaakError("Elk document moet passages hebben; de index kan niet worden opgeslagen.")
        for start in range(0, len(chunks), INSERT_ROWS):
            rows = []
            for i in range(start, min(start + INSERT_ROWS, len(chunks))):
                c = chunks[i]
                _fits(c.text, "een passage", c.doc_id)
                _fits(c.heading, "een kop", c.doc_id)
                _fits(c.title, "de titel", c.doc_id)
                _fits(c.context, "een voetnootcontext", c.doc_id)
                rows.append({
                    "id": i, "dense": vectors[i].tolist(), "sparse": sparse[i], "hubness": float(hubs[i]),
                    "doc_id": c.doc_id, "title": c.title, "heading": c.heading, "paragraph": c.paragraph,
                    "text": c.text, "span_start": c.start, "span_end": c.end, "line_start": c.line_start,
                    "line_end": c.line_end, "page": c.page, "page_end": c.page_end, "kind": c.kind,
                    "context": c.context, "ocr": c.ocr,
                })
            conn.call("insert", names[0], rows)
            notify("milvus", start + len(rows), len(chunks))

        doc_rows = [{"row": row, "unused": [0.0, 0.0], "doc_id": d.doc_id, "title": d.title,
                     "kind": d.kind, "sha256": d.sha256, "chunks": counts[d.doc_id]}
                    for row, d in enumerate(sorted(documents, key=lambda d: d.doc_id))]
        for start in range(0, len(doc_rows), INSERT_ROWS):
            conn.call("insert", names[1], doc_rows[start:start + INSERT_ROWS])

        kind, build_params, search_params = dense_index(options, len(chunks))
        lexical_meta = {"analyzer": lexical.analyzer.config(), "k1": lexical.k1, "b": lexical.b,
                        "n_docs": lexical.n_docs, "avgdl": lexical.avgdl, "n_terms": len(lexical.vocabulary)}
        full_manifest = {**manifest, "milvus_format": FORMAT_VERSION, "chunks": len(chunks),
                         "documents": len(documents),
                         "dense_index": {"kind": kind, "build": build_params, "search": search_params}}
        blobs = [(LEXICAL, json.dumps(lexical_meta).encode("utf-8")),
                 (LEXICON, lexicon_text(lexical.analyzer).encode("utf-8")),
                 (VOCABULARY, vocabulary.to_bytes()),
                 (NEIGHBOURS, _npy(neighbours)),
                 # last: a version with a manifest is complete
                 (MANIFEST, json.dumps(full_manifest, ensure_ascii=False).encode("utf-8"))]
        for blob, data in blobs:
            self._put(names[2], blob, data)

    def _put(self, collection: str, blob: str, data: bytes) -> None:
        rows = [{"key": f"{blob}:{part}", "name": blob, "part": part, "data": piece, "unused": [0.0, 0.0]}
                for part, piece in enumerate(encode_pieces(data))]
        for start in range(0, len(rows), 100):
            self.conn.call("insert", collection, rows[start:start + 100])

    def _retired(self, version: str, versions: list[str]) -> float:
        """Seconds since `version` stopped being current (inf: never current, or long ago)."""
        for successor in (v for v in versions if v > version):
            try:
                data = read_blob(self.conn, meta_collection(self.name, successor), PUBLISHED)
            except VraagbaakError:
                continue
            if data is not None:
                return time.time() - float(json.loads(data.decode("utf-8"))["at"])
        return float("inf")

    def _release_old(self) -> None:
        """Versions that readers left long enough ago stay stored but need no memory during a build."""
        current = current_version(self.conn, self.name)
        versions = stored_versions(self.conn, self.name)
        for version in versions:
            if version == current or self._retired(version, versions) < RETIRE_GRACE:
                continue
            for collection in _collections(self.name, version)[:2]:  # the small _meta stays readable
                try:
                    self.conn.call("release_collection", collection)
                except VraagbaakError:
                    pass  # already gone or never loaded

    def _prune(self, new: str, previous: str | None) -> None:
        """Keep the new version and the one before it (rollback); drop older ones and leftovers."""
        versions = stored_versions(self.conn, self.name)
        for version in versions:
            if version < new and version != previous:
                wait = RETIRE_GRACE - self._retired(version, versions)
                if wait > 0:
                    time.sleep(wait)
                try:
                    drop_version(self.conn, self.name, version)
                except VraagbaakError as exc:
                    log.warning("Oude indexversie %s in Milvus kon niet worden verwijderd: %s", version, exc)

    def rollback(self) -> tuple[str, str, int]:
        """Point the alias at the newest complete version before the current one: (from, to, chunks)."""
        current = current_version(self.conn, self.name)
        if current is None:
            raise VraagbaakError(f"Er is geen index '{self.name}' in Milvus om terug te zetten.")
        for version in reversed([v for v in stored_versions(self.conn, self.name) if v < current]):
            try:
                if read_manifest(self.conn, self.name, version) is None:
                    continue
                backend = MilvusBackend(self.conn, self.name, version)  # loads it if it was released
            except VraagbaakError as exc:
                log.warning("Versie %s overgeslagen: %s", version, exc)
                continue
            self.conn.call("alter_alias", version_collection(self.name, version), self.name)
            return current, version, backend.size
        raise VraagbaakError(f"Er is geen oudere complete indexversie dan {current} in Milvus.")

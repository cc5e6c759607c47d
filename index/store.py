"""The on-disk index: FAISS vectors, SQLite chunks and a JSON manifest per version.

Layout under an index root::

    versions/<version>/vectors.*       the vector index (index.vectors), row i = chunk id i
    versions/<version>/chunks.sqlite   chunk text and citation fields, documents
    versions/<version>/lexical.*       BM25 index of the same chunks (index.lexical)
    versions/<version>/documents.npy   per document the normalized mean of its chunk vectors
    versions/<version>/chunk_documents.npy  per chunk the row of its document there
    versions/<version>/manifest.json   model, dimension, chunker, file hashes
    current -> versions/<version>      symlink, replaced atomically

Readers resolve `current` once when they open an index, so a build that
switches `current` later never changes what an open snapshot sees, and a
build that dies half-way leaves `current` pointing at the last complete one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import numpy as np

from . import settings
from . import vectors as vector_indexes
from .backends.base import Backend, StoredDocument
from .errors import IndexCorrupt, IndexMissing
from .lexical import LexicalIndex
from .types import Chunk

FORMAT_VERSION = 5
MANIFEST = "manifest.json"
VECTORS = vector_indexes.base.INDEX_FILE
CHUNKS_DB = "chunks.sqlite"
CENTROIDS = "documents.npy"
CHUNK_DOCUMENTS = "chunk_documents.npy"
CURRENT = "current"
VERSIONS = "versions"

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    title TEXT NOT NULL,
    heading TEXT,
    paragraph INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    line_start INTEGER NOT NULL,
    line_end INTEGER NOT NULL,
    page INTEGER,
    page_end INTEGER,
    kind TEXT NOT NULL,
    context TEXT,
    ocr INTEGER NOT NULL
);
CREATE INDEX chunks_doc ON chunks(doc_id, paragraph);
"""

_CHUNK_COLUMNS = ('doc_id, title, heading, paragraph, text, start, "end", line_start, line_end, page, page_end, '
                  'kind, context, ocr')


def _chunk(row: tuple) -> Chunk:
    """A chunk from its row: id, the columns of _CHUNK_COLUMNS in order (ocr last, stored as 0/1)."""
    return Chunk(*row[1:-1], bool(row[-1]), id=row[0])


def write_version(
    folder: Path,
    manifest: dict,
    documents: list[StoredDocument],
    chunks: list[Chunk],
    vectors: np.ndarray,
    lexical: LexicalIndex,
) -> None:
    """Write one complete index version into an empty folder, flushed to disk."""
    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    folder.mkdir(parents=True)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, int(manifest["dimension"]))
    index = vector_indexes.create(vectors, settings.vector_index_kind(), threshold=settings.ann_threshold())
    described = {"kind": index.kind, **index.save(folder)}
    lexical.save(folder)
    chunk_documents, centroids = document_centroids([c.doc_id for c in chunks], vectors)
    np.save(folder / CHUNK_DOCUMENTS, chunk_documents)
    np.save(folder / CENTROIDS, centroids)

    db = sqlite3.connect(folder / CHUNKS_DB)
    try:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
            [(d.doc_id, d.title, d.kind, d.sha256, d.text) for d in documents],
        )
        db.executemany(
            f"INSERT INTO chunks (id, {_CHUNK_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            [
                (i, c.doc_id, c.title, c.heading, c.paragraph, c.text, c.start, c.end,
                 c.line_start, c.line_end, c.page, c.page_end, c.kind, c.context, int(c.ocr))
                for i, c in enumerate(chunks)
            ],
        )
        db.commit()
    finally:
        db.close()

    manifest = {**manifest, "format_version": FORMAT_VERSION, "chunks": len(chunks), "vectors": described}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    _fsync_tree(folder)


def document_centroids(doc_ids: list[str], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each chunk's document row, and each document as the normalized mean of its chunk vectors.

    Computed at build time, where the vectors are in memory anyway, so a
    serving process never has to read every vector to rank documents.
    """
    _, chunk_documents = np.unique(np.asarray(doc_ids, dtype=object), return_inverse=True)
    chunk_documents = chunk_documents.astype(np.int32)
    count = int(chunk_documents.max()) + 1 if len(chunk_documents) else 0
    centroids = np.zeros((count, vectors.shape[1]), dtype=np.float32)
    np.add.at(centroids, chunk_documents, vectors)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return chunk_documents, centroids


def switch_current(root: Path, version_folder: Path) -> None:
    """Point `current` at a finished version in one atomic rename."""
    link = root / CURRENT
    tmp = root / f".{CURRENT}.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(VERSIONS) / version_folder.name)
    os.replace(tmp, link)
    _fsync_dir(root)


def current_version(root: Path) -> Path | None:
    link = root / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def prune_versions(root: Path, keep: int = 2) -> None:
    """Remove old versions and leftovers of interrupted builds, never `current`."""
    versions = root / VERSIONS
    if not versions.is_dir():
        return
    current = current_version(root)
    finished = sorted(
        (p for p in versions.iterdir() if p.is_dir() and (p / MANIFEST).exists()),
        key=lambda p: p.name,
    )
    keep_set = set(finished[-keep:]) | ({current} if current else set())
    for path in versions.iterdir():
        if path not in keep_set:
            shutil.rmtree(path, ignore_errors=True)


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorrupt(f"De index in {folder} heeft geen manifest.") from exc
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"Het manifest van de index in {folder} is onleesbaar: {exc}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexCorrupt(
            f"De index in {folder} heeft formaat {manifest.get('format_version')!r}, "
            f"deze versie van Vraagbaak leest formaat {FORMAT_VERSION}. Bouw de index opnieuw."
        )
    return manifest


class IndexSnapshot(Backend):
    """The default backend: one index version in local files, read-only; safe to share between threads."""

    name = "local"

    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest = read_manifest(folder)
        self._vectors = vector_indexes.load(folder, self.manifest.get("vectors"),
                                            settings.vector_search_overrides())
        self._db_uri = f"file:{(folder / CHUNKS_DB).as_posix()}?mode=ro"
        self._local = threading.local()
        count = self._db().execute("SELECT count(*) FROM chunks").fetchone()[0]
        if count != self._vectors.size or count != self.manifest.get("chunks"):
            raise IndexCorrupt(
                f"De index in {folder} is inconsistent: {self._vectors.size} vectoren, "
                f"{count} passages. Bouw de index opnieuw."
            )
        self.lexical = LexicalIndex.load(folder)
        try:
            self.chunk_documents = np.load(folder / CHUNK_DOCUMENTS, mmap_mode="r")
            self.document_centroids = np.load(folder / CENTROIDS, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"De documentvectoren van de index in {folder} zijn onleesbaar.") from exc
        if len(self.chunk_documents) != count:
            raise IndexCorrupt(f"De documentvectoren in {folder} horen niet bij de passages. Bouw de index opnieuw.")
        if len(self.lexical) != count:
            raise IndexCorrupt(f"De lexicale index in {folder} hoort niet bij de passages. Bouw de index opnieuw.")
        if self._vectors.dimension != self.manifest.get("dimension"):
            raise IndexCorrupt(f"De vectordimensie van de index in {folder} klopt niet met het manifest.")

    @property
    def version(self) -> str:
        return self.folder.name

    @property
    def size(self) -> int:
        return self._vectors.size

    @property
    def vector_index(self) -> str:
        return self._vectors.kind

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self._db_uri, uri=True, check_same_thread=False)
                db.execute("SELECT 1 FROM chunks LIMIT 1")
            except sqlite3.Error as exc:
                raise IndexCorrupt(f"De passagedatabase van de index in {self.folder} is onleesbaar: {exc}") from exc
            self._local.db = db
        return db

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk ids and inner-product scores for each query vector."""
        return self._vectors.search(vectors, k)

    def vectors(self, ids) -> np.ndarray:
        return self._vectors.vectors(ids)

    def search_lexical(self, text: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.lexical.search(text, k)

    def document_ranks(self, ids: list[int], vector: np.ndarray) -> dict[int, int]:
        centroids = self.document_centroids
        doc_rank = np.empty(len(centroids), dtype=np.int64)
        doc_rank[np.argsort(-(centroids @ vector), kind="stable")] = np.arange(1, len(centroids) + 1)
        return {int(i): int(doc_rank[self.chunk_documents[i]]) for i in ids}

    def content_terms(self, text: str) -> list[str]:
        return self.lexical.analyzer.content_terms(text)

    def query_coverage(self, text: str) -> float:
        return self.lexical.query_coverage(text)

    def chunks(self, ids: list[int]) -> list[Chunk]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._db().execute(
            f"SELECT id, {_CHUNK_COLUMNS} FROM chunks WHERE id IN ({marks})", [int(i) for i in ids]
        ).fetchall()
        by_id = {row[0]: _chunk(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self._db().execute(
            f"SELECT id, {_CHUNK_COLUMNS} FROM chunks WHERE doc_id = ? ORDER BY id", (doc_id,)
        ).fetchall()
        return [_chunk(row) for row in rows]

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self._db().execute(
            "SELECT doc_id, title, kind, sha256, text FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return StoredDocument(*row) if row else None

    def documents(self) -> list[StoredDocument]:
        rows = self._db().execute("SELECT doc_id, title, kind, sha256, text FROM documents ORDER BY doc_id")
        return [StoredDocument(*row) for row in rows]

    def all_vectors(self) -> np.ndarray:
        return self._vectors.all_vectors()

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def open_index(root: Path) -> IndexSnapshot:
    """Open the current version under an index root, or say clearly why not."""
    folder = current_version(root)
    if folder is None:
        raise IndexMissing(
            f"Er is nog geen index in {root}. Bouw er een met: vraagbaak index <map met documenten>"
        )
    return IndexSnapshot(folder)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""The default backend: versions in folders under an index root, in the files of index.store.

`LocalBackend` reads one version (FAISS or another vector index, SQLite
chunks, BM25 arrays, neighbour scores); `LocalWriter` writes a new one and
switches `current` to it; `LocalSource` says which version is current.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from pathlib import Path

import numpy as np

from .. import vectors as vector_indexes
from ..build_lock import BuildLock
from ..errors import IndexCorrupt, IndexMissing, VraagbaakError
from ..lexical import LexicalIndex
from ..neighbours import NEIGHBOURS, hubness
from ..store import (
    CHUNK_COLUMNS,
    CHUNKS_DB,
    CURRENT,
    FORMAT_VERSION,
    NEIGHBOUR_SCORES,
    VERSIONS,
    chunk_from_row,
    current_version,
    prune_versions,
    rollback_candidates,
    read_manifest,
    switch_current,
    write_version,
)
from ..analysis import DutchAnalyzer
from ..types import Chunk, StoredDocument
from .base import Backend, Candidates, Source, Writer

log = logging.getLogger(__name__)

# The chunks a search returns, read from SQLite, are kept for the life of the opened version:
# the same candidates come back question after question. At most this many; past it, the cache starts over.
CHUNK_CACHE_LIMIT = 20_000


class LocalBackend(Backend):
    """The default backend: one index version in local files, read-only; safe to share between threads."""

    name = "local"

    def __init__(self, folder: Path, search: dict | None = None, *, to_update: bool = False):
        """`search`: nprobe / ef_search for an approximate vector index; 0 or absent keeps what it recorded.

        `to_update`: opened only for a build to copy from, which may read a
        version of an older reusable format (index.store.REUSABLE_FORMATS).
        """
        self.folder = folder
        self.manifest = read_manifest(folder, reusable=to_update)
        self.outdated = self.manifest.get("format_version") != FORMAT_VERSION
        self._vectors = vector_indexes.load(folder, self.manifest.get("vectors"), search or {})
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
            # A version of an older format (opened to update from) may have none; the update computes them.
            missing = self.outdated and not (folder / NEIGHBOUR_SCORES).exists()
            self._neighbours = None if missing else np.load(folder / NEIGHBOUR_SCORES, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"De burenscores van de index in {folder} zijn onleesbaar.") from exc
        if self._neighbours is not None and self._neighbours.shape != (count, NEIGHBOURS):
            raise IndexCorrupt(f"De burenscores in {folder} horen niet bij de passages. Bouw de index opnieuw.")
        if len(self.lexical) != count:
            raise IndexCorrupt(f"De lexicale index in {folder} hoort niet bij de passages. Bouw de index opnieuw.")
        if self._vectors.dimension != self.manifest.get("dimension"):
            raise IndexCorrupt(f"De vectordimensie van de index in {folder} klopt niet met het manifest.")
        self._chunk_cache: dict[int, Chunk] = {}
        self._chunk_lock = threading.Lock()

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

    @property
    def analyzer(self) -> DutchAnalyzer:
        return self.lexical.analyzer

    def search(self, texts: list[str], vectors: np.ndarray, n: int, *, dense: bool = True,
               lexical: bool = True) -> Candidates:
        dense_ids = [row[row >= 0] for row in self.search_dense(vectors, n)[1]] if dense else []
        lexical_ids = [self.search_lexical(text, n)[0] for text in texts] if lexical else []
        ids = sorted({int(i) for ranking in dense_ids + lexical_ids for i in ranking})
        found = self._vectors.vectors(ids) if ids else np.zeros((0, self._vectors.dimension), dtype=np.float32)
        hubs = {} if self._neighbours is None else dict(zip(ids, hubness(self._neighbours[ids]).tolist()))
        return Candidates(dense_ids, lexical_ids, ids, found, {c.id: c for c in self.chunks(ids)},
                          self.lexical.query_coverage(texts[0]), hubs)

    def search_dense(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k nearest chunks per query vector: the vector index alone (the scale bench)."""
        return self._vectors.search(vectors, k)

    def search_lexical(self, text: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the k best chunks by BM25: the lexical index alone (the scale bench)."""
        return self.lexical.search(text, k)

    def chunks(self, ids: list[int]) -> list[Chunk]:
        """The chunks of these rows, in this order (rows that do not exist left out); read once per version."""
        cache = self._chunk_cache
        found = {i: chunk for i in ids if (chunk := cache.get(i)) is not None}
        missing = [int(i) for i in ids if i not in found]
        if missing:
            marks = ",".join("?" * len(missing))
            rows = self._db().execute(f"SELECT id, {CHUNK_COLUMNS} FROM chunks WHERE id IN ({marks})",
                                      missing).fetchall()
            fresh = {row[0]: chunk_from_row(row) for row in rows}
            with self._chunk_lock:
                if len(cache) + len(fresh) > CHUNK_CACHE_LIMIT:
                    cache.clear()
                cache.update(fresh)
            found.update(fresh)
        return [found[i] for i in ids if i in found]

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self._db().execute(
            f"SELECT id, {CHUNK_COLUMNS} FROM chunks WHERE doc_id = ? ORDER BY id", (doc_id,)
        ).fetchall()
        return [chunk_from_row(row) for row in rows]

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self._db().execute(
            "SELECT doc_id, title, kind, sha256, text FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return StoredDocument(*row) if row else None

    def documents(self) -> list[StoredDocument]:
        rows = self._db().execute("SELECT doc_id, title, kind, sha256, text FROM documents ORDER BY doc_id")
        return [StoredDocument(*row) for row in rows]

    def document_records(self) -> list[StoredDocument]:
        rows = self._db().execute("SELECT doc_id, title, kind, sha256, '' FROM documents ORDER BY doc_id")
        return [StoredDocument(*row) for row in rows]

    def all_vectors(self) -> np.ndarray:
        return self._vectors.all_vectors()

    def neighbour_scores(self) -> np.ndarray:
        if self._neighbours is None:
            raise IndexCorrupt(f"De index in {self.folder} heeft een ouder formaat, zonder burenscores.")
        return np.asarray(self._neighbours)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def open_index(root: Path, search: dict | None = None) -> LocalBackend:
    """Open the current version under an index root, or say clearly why not."""
    folder = current_version(root)
    if folder is None:
        raise IndexMissing(
            f"Er is nog geen index in {root}. Bouw er een met: vraagbaak index <map met documenten> "
            "(voor een collectie: met --collection <naam>, of upload er documenten naar)"
        )
    return LocalBackend(folder, search)


class LocalWriter(Writer):
    """Writes a version folder under the root, then points `current` at it.

    `vector_index` and `ann_threshold` say which vector index the version gets (index.store.write_version).
    """

    def __init__(self, root: Path, *, vector_index: str = vector_indexes.AUTO,
                 ann_threshold: int = vector_indexes.DEFAULT_ANN_THRESHOLD):
        self.root = root
        self.vector_index = vector_index
        self.ann_threshold = ann_threshold

    def open_current(self) -> LocalBackend | None:
        """The version to update from; a build starts here (lock held), so leftovers of earlier ones go first."""
        prune_versions(self.root)
        folder = current_version(self.root)
        return LocalBackend(folder, to_update=True) if folder is not None else None

    def publish(self, version: str, manifest: dict, documents: list[StoredDocument], chunks: list[Chunk],
                vectors: np.ndarray, neighbours: np.ndarray, lexical, notify=None) -> None:
        folder = self.root / VERSIONS / version
        write_version(folder, manifest, documents, chunks, vectors, lexical, vector_index=self.vector_index,
                      ann_threshold=self.ann_threshold, neighbours=neighbours)
        switch_current(self.root, folder)
        prune_versions(self.root)


class LocalSource(Source):
    """The versions under one index root; builds get the vector index that `vector_index` names."""

    name = "local"

    def __init__(self, root: Path, *, vector_index: str = vector_indexes.AUTO,
                 ann_threshold: int = vector_indexes.DEFAULT_ANN_THRESHOLD, nprobe: int = 0, ef_search: int = 0):
        self.root = Path(root)
        self.vector_index = vector_index
        self.ann_threshold = ann_threshold
        self.search = {"nprobe": nprobe, "ef_search": ef_search}  # search-time overrides, 0 = as recorded

    def latest(self) -> str | None:
        folder = current_version(self.root)
        return folder.name if folder is not None else None

    def open(self) -> LocalBackend:
        return open_index(self.root, self.search)

    def current_manifest(self) -> dict | None:
        folder = current_version(self.root)
        return read_manifest(folder, any_format=True) if folder is not None else None

    def describe(self) -> dict:
        return {"backend": self.name}

    def build_target(self) -> LocalWriter:
        return LocalWriter(self.root, vector_index=self.vector_index, ann_threshold=self.ann_threshold)

    def for_index(self, name: str) -> LocalSource:
        return LocalSource(self.root / name, vector_index=self.vector_index, ann_threshold=self.ann_threshold,
                           **self.search)

    def for_collection(self, name: str, folder: Path) -> LocalSource:
        return LocalSource(folder, vector_index=self.vector_index, ann_threshold=self.ann_threshold, **self.search)

    def drop(self) -> None:
        if self.root.is_dir():
            with BuildLock(self.root):  # not while a build writes into it
                shutil.rmtree(self.root / VERSIONS, ignore_errors=True)
                (self.root / CURRENT).unlink(missing_ok=True)
            shutil.rmtree(self.root, ignore_errors=True)

    def rollback(self) -> tuple[str, str, int]:
        missing = VraagbaakError(f"Er is geen index in {self.root} om terug te zetten.")
        if not self.root.is_dir():  # the lock file lives in the root: don't create one to fail
            raise missing
        with BuildLock(self.root):
            current = current_version(self.root)
            if current is None:
                raise missing
            # Only versions that were served: a finished version no build ever switched to is no target.
            older = [self.root / VERSIONS / name for name in rollback_candidates(self.root, current.name)]
            for candidate in older:
                try:
                    snapshot = LocalBackend(candidate)
                except VraagbaakError as exc:
                    log.warning("Versie %s overgeslagen: %s", candidate.name, exc)
                    continue
                size = snapshot.size
                snapshot.close()
                switch_current(self.root, candidate)
                return current.name, candidate.name, size
            raise VraagbaakError(f"Er is geen oudere complete indexversie dan {current.name} in {self.root}.")

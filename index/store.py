"""The local backend's files: FAISS vectors, SQLite chunks and a JSON manifest per version.

Layout under an index root::

    versions/<version>/vectors.*       the vector index (index.vectors), row i = chunk id i
    versions/<version>/chunks.sqlite   chunk text and citation fields, documents
    versions/<version>/lexical.*       BM25 index of the same chunks (index.lexical)
    versions/<version>/neighbours.npy  per chunk its best inner products with other chunks (index.neighbours)
    versions/<version>/manifest.json   model, dimension, chunker, file hashes
    current -> versions/<version>      symlink, replaced atomically

Writing a version and switching `current` live here; reading one is
index.backends.local.LocalBackend. Readers resolve `current` once when they
open an index, so a build that switches `current` later never changes what
an open snapshot sees, and a build that dies half-way leaves `current`
pointing at the last complete one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np

from . import vectors as vector_indexes
from .errors import IndexCorrupt
from .lexical import LexicalIndex
from .neighbours import neighbour_scores
from .types import Chunk, StoredDocument

FORMAT_VERSION = 7
# Older formats whose chunks and vectors an update may still copy, so that an upgrade does not
# embed everything again (5: without the neighbour scores, computed anew; 6: with document
# centroids, no longer read, which the new version leaves out).
REUSABLE_FORMATS = (5, 6)
MANIFEST = "manifest.json"
VECTORS = vector_indexes.base.INDEX_FILE
CHUNKS_DB = "chunks.sqlite"
NEIGHBOUR_SCORES = "neighbours.npy"
SERVED = "served"  # one line per version `current` has pointed at, oldest first
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

CHUNK_COLUMNS = ('doc_id, title, heading, paragraph, text, start, "end", line_start, line_end, page, page_end, '
                  'kind, context, ocr')


def chunk_from_row(row: tuple) -> Chunk:
    """A chunk from its row: id, the columns of CHUNK_COLUMNS in order (ocr last, stored as 0/1)."""
    return Chunk(*row[1:-1], bool(row[-1]), id=row[0])


def write_version(
    folder: Path,
    manifest: dict,
    documents: list[StoredDocument],
    chunks: list[Chunk],
    vectors: np.ndarray,
    lexical: LexicalIndex,
    *,
    vector_index: str = vector_indexes.AUTO,
    ann_threshold: int = vector_indexes.DEFAULT_ANN_THRESHOLD,
    neighbours: np.ndarray | None = None,
) -> None:
    """Write one complete index version into an empty folder, flushed to disk.

    `vector_index` is the kind of vector index asked for (index.vectors: auto
    picks exact search below `ann_threshold` chunks); the manifest records it
    beside the kind that was built. `neighbours` are the chunks' neighbour
    scores (index.neighbours), computed here when not given.
    """
    if len(chunks) != len(vectors) or (neighbours is not None and len(neighbours) != len(chunks)):
        raise ValueError(f"{len(chunks)} chunks, {len(vectors)} vectors, "
                         f"{'-' if neighbours is None else len(neighbours)} rows of neighbour scores")
    folder.mkdir(parents=True)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, int(manifest["dimension"]))
    index = vector_indexes.create(vectors, vector_index, threshold=ann_threshold)
    described = {"kind": index.kind, **index.save(folder)}
    lexical.save(folder)
    np.save(folder / NEIGHBOUR_SCORES, neighbour_scores(vectors) if neighbours is None else neighbours)

    db = sqlite3.connect(folder / CHUNKS_DB)
    try:
        db.executescript(SCHEMA)
        # Rows one at a time: a document's text may be read from disk just now (index.build).
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
            ((d.doc_id, d.title, d.kind, d.sha256, d.text) for d in documents),
        )
        db.executemany(
            f"INSERT INTO chunks (id, {CHUNK_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            (
                (i, c.doc_id, c.title, c.heading, c.paragraph, c.text, c.start, c.end,
                 c.line_start, c.line_end, c.page, c.page_end, c.kind, c.context, int(c.ocr))
                for i, c in enumerate(chunks)
            ),
        )
        db.commit()
    finally:
        db.close()

    manifest = {**manifest, "format_version": FORMAT_VERSION, "chunks": len(chunks), "vector_index": vector_index,
                "vectors": described}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    _fsync_tree(folder)


def switch_current(root: Path, version_folder: Path) -> None:
    """Point `current` at a finished version in one atomic rename, and record that it was served."""
    _record_served(root, version_folder.name)
    link = root / CURRENT
    tmp = root / f".{CURRENT}.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(VERSIONS) / version_folder.name)
    os.replace(tmp, link)
    _fsync_dir(root)


def _record_served(root: Path, version: str) -> None:
    """Append a version to the served record before `current` points at it (so a crash between the two
    records a version that was ready to serve, never misses one that was served)."""
    record = root / SERVED
    with open(record, "a", encoding="utf-8") as handle:
        handle.write(version + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def served_versions(root: Path) -> list[str] | None:
    """The versions `current` has pointed at, oldest first (repeats kept); None for an index older than the record."""
    try:
        text = (root / SERVED).read_text("utf-8")
    except FileNotFoundError:
        return None
    return [line.strip() for line in text.splitlines() if line.strip()]


def was_served(root: Path, name: str) -> bool:
    """Whether a version was ever current; an index from before the record treats every finished one as served."""
    served = served_versions(root)
    return True if served is None else name in served


def current_version(root: Path) -> Path | None:
    link = root / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def prune_versions(root: Path) -> None:
    """Keep the served version and the one served before it; remove every other version.

    That removes older versions, leftovers of interrupted builds, and
    finished versions that were never served (a build killed between writing
    its manifest and switching): none of those may ever become a rollback
    target. Call it with the build lock held.
    """
    versions = root / VERSIONS
    if not versions.is_dir():
        return
    current = current_version(root)
    keep = {current.name} if current else set()
    previous = previous_served(root, current.name) if current else None
    if previous:
        keep.add(previous)
    for path in versions.iterdir():
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def previous_served(root: Path, current: str) -> str | None:
    """The newest version served before `current` that still exists with a manifest, if any."""
    candidates = rollback_candidates(root, current)
    return candidates[0] if candidates else None


def rollback_candidates(root: Path, current: str) -> list[str]:
    """Finished versions older than `current` that were served, newest first."""
    versions = root / VERSIONS
    if not versions.is_dir():
        return []
    finished = [p.name for p in versions.iterdir() if p.is_dir() and (p / MANIFEST).exists() and p.name < current]
    return sorted((name for name in finished if was_served(root, name)), reverse=True)


def read_manifest(folder: Path, *, any_format: bool = False, reusable: bool = False) -> dict:
    """A version's manifest; IndexCorrupt when it is missing, unreadable or of another format.

    What a version was built from (corpus, files) reads the same in every
    format (`any_format`); a build may update from a version of one of the
    REUSABLE_FORMATS too (`reusable`).
    """
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorrupt(f"De index in {folder} heeft geen manifest.") from exc
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"Het manifest van de index in {folder} is onleesbaar: {exc}") from exc
    accepted = (FORMAT_VERSION, *REUSABLE_FORMATS) if reusable else (FORMAT_VERSION,)
    if manifest.get("format_version") not in accepted and not any_format:
        raise IndexCorrupt(
            f"De index in {folder} heeft formaat {manifest.get('format_version')!r}, "
            f"deze versie van Vraagbaak leest formaat {FORMAT_VERSION}. Bouw de index opnieuw met: "
            "vraagbaak index <map met documenten>"
        )
    return manifest


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

"""Build or update the index of a folder of documents.

Every build writes a complete new version and then switches `current` to it,
so readers never see a half index. An update reuses the chunks and vectors of
files whose content, chunker and model are unchanged and only embeds the rest;
files that disappeared from the folder simply are not carried over.

What a build holds grows with the corpus only by what the new version needs
in memory to be written: every chunk and its vector. A document's text, once
chunked, waits in an unnamed temporary file in the index root (a reused
document's text stays in the version it comes from) until the writer stores
it, one document at a time; the model and the lexical index read each
passage's text as they come to it, without a copy of all of them.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import numpy as np

from .backends.base import Backend, Source, Writer
from .backends.local import LocalSource
from .build_lock import BuildLock
from .chunker import CHUNKER_VERSION, chunk_document
from .embedder import Embedder
from .errors import IndexCorrupt, ReadError, VraagbaakError
from .lexical import LexicalIndex
from .neighbours import Previous, neighbour_scores
from .readers import iter_corpus, os_error_reason, printable, read_document, reader_version
from .readers.limits import DEFAULT_LIMITS, ReadLimits, check_passages
from .types import Chunk, StoredDocument

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
FileDone = Callable[[str], None]  # (doc_id): one file of the corpus has been read, reused or skipped

# The model reads a chunk with its heading in front (see passage_text); this
# many tokens of the window stay free for it so the paragraph is not cut off.
HEADING_ALLOWANCE = 48


@dataclass
class BuildReport:
    version: str | None
    documents: int = 0
    chunks: int = 0
    embedded_files: list[str] = field(default_factory=list)
    reused_files: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    embedded_chunks: int = 0
    seconds: float = 0.0
    changed: bool = True


class NothingToIndex(VraagbaakError):
    """The corpus holds no readable document at all: nothing was built. `skipped` says why, per file."""

    def __init__(self, message: str, skipped: list[tuple[str, str]]):
        super().__init__(message)
        self.skipped = skipped


def passage_text(chunk: Chunk) -> str:
    """What the model reads for a chunk: the heading gives a paragraph its subject."""
    if chunk.heading and chunk.heading not in chunk.text:
        return f"{chunk.heading}\n{chunk.text}"
    return chunk.text


def lexical_text(chunk: Chunk) -> str:
    """What lexical search sees: title and heading let a paragraph match its subject's words.

    A footnote also carries the body sentence it annotates: it speaks of that
    sentence, and without it a one-line source title ("Zo duwt het kabinet
    ... - NRC") is the shortest text under its heading, so the one that BM25
    ranks first for every question on the heading's words.
    """
    extra = chunk.context if chunk.kind == "footnote" else None
    context = " ".join(part for part in (chunk.title, chunk.heading, extra) if part and part not in chunk.text)
    return f"{context}\n{chunk.text}" if context else chunk.text


class _Texts(Sequence):
    """`text_of(chunk)` for each chunk, made when asked: the model and the lexical index read every
    passage's text, and a list of them all would be a second copy of the corpus."""

    def __init__(self, chunks: list[Chunk], text_of: Callable[[Chunk], str]):
        self._chunks = chunks
        self._text_of = text_of

    def __len__(self) -> int:
        return len(self._chunks)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._text_of(c) for c in self._chunks[index]]
        return self._text_of(self._chunks[index])


class _Document:
    """A document of the new version, its text read only when the writer asks for it (StoredDocument's fields)."""

    __slots__ = ("doc_id", "title", "kind", "sha256", "_text")

    def __init__(self, doc_id: str, title: str, kind: str, sha256: str, text: Callable[[], str]):
        self.doc_id, self.title, self.kind, self.sha256 = doc_id, title, kind, sha256
        self._text = text

    @property
    def text(self) -> str:
        return self._text()


class _TextSpool:
    """The texts of the documents read in this build, in an unnamed temporary file until they are stored.

    It lies in the index root, on the disk the version is written to (not in
    /tmp, which may be memory), and disappears when closed or when the process
    ends, however it ends.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self._file = tempfile.TemporaryFile(dir=folder)

    def keep(self, text: str) -> Callable[[], str]:
        """Write `text` away; returns what reads it back. A full disk stops the build (it is no file's fault)."""
        data = text.encode("utf-8", "surrogatepass")  # any str comes back as it went in
        try:
            offset = self._file.seek(0, 2)
            self._file.write(data)
        except OSError as exc:
            raise self._failed(exc) from exc
        return partial(self._read, offset, len(data))

    def _read(self, offset: int, size: int) -> str:
        try:
            self._file.seek(offset)
            return self._file.read(size).decode("utf-8", "surrogatepass")
        except OSError as exc:  # the last write, flushed only now
            raise self._failed(exc) from exc

    def _failed(self, exc: OSError) -> VraagbaakError:
        return VraagbaakError(f"De teksten van de nieuwe documenten passen niet in {self.folder} "
                              f"({exc.strerror or exc}); de bouw is gestopt.")

    def close(self) -> None:
        self._file.close()


def _stored_text(previous: Backend, doc_id: str) -> str:
    """A reused document's text, read from the version it comes from."""
    stored = previous.document(doc_id)
    return stored.text if stored is not None else ""


def build_index(
    corpus: Path,
    root: Path,
    embedder: Embedder,
    *,
    full: bool = False,
    progress: Progress | None = None,
    source: Source | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    on_file: FileDone | None = None,
) -> BuildReport:
    """Index `corpus` into the index root `root`, or into the backend `source`; returns what was done.

    The source (without one: the local files under `root`) gives a writer
    that opens its current version and publishes the new one. `root` also
    holds the lock that keeps two builds on this machine apart. A file over
    one of the `limits` (the settings' VRAAGBAAK_MAX_*) is skipped and listed.
    `on_file` hears each file's doc_id once it has been read (or reused, or skipped while reading).
    """
    corpus = corpus.resolve()
    if not corpus.is_dir():
        raise VraagbaakError(f"De map {corpus} bestaat niet of is geen map.")
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    writer = (source or LocalSource(root)).build_target()
    with BuildLock(root):
        previous = None if full else _open_previous(writer, embedder)
        spool = _TextSpool(root)
        try:
            report = _build_locked(corpus, embedder, previous, progress, writer, limits, spool, on_file)
        finally:
            spool.close()
    report.seconds = time.perf_counter() - started
    return report


def _build_locked(corpus: Path, embedder: Embedder, previous: Backend | None, progress: Progress | None,
                  writer: Writer, limits: ReadLimits, spool: _TextSpool, on_file: FileDone | None) -> BuildReport:
    notify = progress or (lambda stage, done, total: None)
    report = BuildReport(version=None)
    found = _read_corpus(corpus, embedder, previous, limits, spool, report, notify, on_file or (lambda doc_id: None))
    present = set(found.reused) | {d.doc_id for d, _ in found.fresh}
    report.removed_files = sorted(set(found.old_docs) - present)
    report.reused_files = sorted(found.reused)
    report.embedded_files = sorted(d.doc_id for d, _ in found.fresh)
    if not present:
        raise NothingToIndex(f"Geen leesbare documenten gevonden in {corpus}.", report.skipped)
    if previous is not None and not previous.outdated and not found.fresh and not report.removed_files:
        report.changed = False
        report.version = previous.version
        _fill_counts(report, previous.manifest)
        return report

    new_chunks = [c for _, chunks in found.fresh for c in chunks]
    report.embedded_chunks = len(new_chunks)
    new_vectors = embedder.encode_passages(
        _Texts(new_chunks, passage_text),
        progress=lambda done, total: notify("embedden", done, total),
    ) if new_chunks else np.zeros((0, embedder.dimension), dtype=np.float32)
    documents, chunks, vectors, rows = _in_document_order(found, new_vectors)
    neighbours = _neighbours(previous, found, vectors, rows, notify)

    manifest = _manifest(corpus, embedder, documents, chunks, found.pages, previous, report)
    version = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    notify("opslaan", 0, 1)
    notify("lexicaal", 0, 1)
    lexical = LexicalIndex.build(_Texts(chunks, lexical_text))
    notify("lexicaal", 1, 1)
    manifest["lexical"] = lexical.analyzer.config()
    writer.publish(version, manifest, documents, chunks, vectors, neighbours, lexical, notify)
    notify("opslaan", 1, 1)
    report.version = version
    report.documents = len(documents)
    report.chunks = len(chunks)
    return report


@dataclass
class _Found:
    """What reading the corpus found: documents reused from the previous version, and those read now."""

    old_docs: dict[str, StoredDocument]
    reused: dict[str, tuple[_Document, list[Chunk], np.ndarray]] = field(default_factory=dict)
    fresh: list[tuple[_Document, list[Chunk]]] = field(default_factory=list)
    pages: dict[str, int | None] = field(default_factory=dict)  # the documents read now: page count (PDF), else None
    old_vectors: np.ndarray | None = None  # every vector of the previous version, row = its chunk id


def _read_corpus(corpus: Path, embedder: Embedder, previous: Backend | None, limits: ReadLimits, spool: _TextSpool,
                 report: BuildReport, notify, file_done) -> _Found:
    """Every file of the corpus: reused when its content is what the previous version holds, else read and chunked.

    A file that cannot be read, or is over a limit, is skipped with its Dutch
    reason (report.skipped) and the rest goes on. A new document's text waits
    in the spool, not in memory, until the version is written.
    """
    def unlisted(error: ReadError) -> None:  # a file iter_corpus leaves out (over the size limit)
        report.skipped.append((printable(error.path), error.reason))
        file_done(error.path)

    files = list(iter_corpus(corpus, limits=limits, on_error=unlisted))
    notify("lezen", 0, len(files))
    found = _Found({d.doc_id: d for d in previous.document_records()} if previous else {})
    old_vectors = found.old_vectors = previous.all_vectors() if previous else None
    for done, path in enumerate(files, 1):
        doc_id = path.relative_to(corpus).as_posix()
        try:
            digest = _sha256(path)
            old = found.old_docs.get(doc_id)
            if old is not None and old.sha256 == digest and _read_alike(previous, old):
                chunks = previous.document_chunks(doc_id)
                ids = [c.id for c in chunks]
                found.reused[doc_id] = (_Document(doc_id, old.title, old.kind, old.sha256,
                                                  partial(_stored_text, previous, doc_id)), chunks, old_vectors[ids])
            else:
                doc = read_document(path, corpus, limits=limits)
                chunks = chunk_document(doc, max_tokens=embedder.max_passage_tokens - HEADING_ALLOWANCE,
                                        count_tokens=embedder.count_tokens)
                if not chunks:
                    raise ReadError(doc_id, "geen tekst gevonden")
                check_passages(doc_id, len(chunks), limits)
                found.pages[doc_id] = len(doc.page_starts) if doc.page_starts else None
                found.fresh.append((_Document(doc_id, doc.title, doc.kind, digest, spool.keep(doc.text)), chunks))
                del doc
        # Names are printed escaped: a newline in one would forge a report line. The report
        # lists every skip when the build ends (the CLI prints it, a job keeps it); the log
        # has them at INFO for a server's log, not a second time on a terminal.
        except ReadError as exc:
            report.skipped.append((printable(doc_id), exc.reason))
            log.info("Overgeslagen: %s — %s", *report.skipped[-1])
        except OSError as exc:
            report.skipped.append((printable(doc_id), os_error_reason(exc)))
            log.info("Overgeslagen: %s — %s", *report.skipped[-1])
        file_done(doc_id)
        notify("lezen", done, len(files))
    return found


def _in_document_order(found: _Found, new_vectors: np.ndarray
                       ) -> tuple[list[_Document], list[Chunk], np.ndarray, np.ndarray]:
    """Documents, chunks and vectors with the documents sorted by id: ids stay stable, the index reproducible.

    Also each chunk's row in the previous version, -1 for a chunk embedded now.
    """
    by_doc: dict[str, tuple[_Document, list[Chunk], np.ndarray]] = dict(found.reused)
    fresh = set()
    offset = 0
    for doc, chunks in found.fresh:
        by_doc[doc.doc_id] = (doc, chunks, new_vectors[offset:offset + len(chunks)])
        fresh.add(doc.doc_id)
        offset += len(chunks)
    documents, chunks, vectors, rows = [], [], [], []
    for doc_id in sorted(by_doc):
        doc, doc_chunks, doc_vectors = by_doc[doc_id]
        documents.append(doc)
        chunks.extend(doc_chunks)
        vectors.append(doc_vectors)
        rows.extend(-1 if doc_id in fresh else c.id for c in doc_chunks)
    return documents, chunks, np.concatenate(vectors), np.asarray(rows, dtype=np.int64)


def _neighbours(previous: Backend | None, found: _Found, vectors: np.ndarray, rows: np.ndarray,
                notify) -> np.ndarray:
    """The chunks' neighbour scores (index.neighbours): an update corrects the previous version's rows
    for the chunks it removes and adds; a full build, or a version without usable rows, computes all."""
    start_from = None
    if previous is not None and found.old_vectors is not None:
        try:
            scores = previous.neighbour_scores()
        except IndexCorrupt as exc:  # expected of a format from before the scores; else a damaged version
            (log.info if previous.outdated else log.warning)("Burenscores worden helemaal opnieuw berekend: %s", exc)
        else:
            start_from = Previous.of(scores, rows, found.old_vectors)
    return neighbour_scores(vectors, start_from, lambda done, total: notify("buren", done, total))


def _manifest(corpus: Path, embedder: Embedder, documents: list[_Document], chunks: list[Chunk],
              pages: dict[str, int | None], previous: Backend | None, report: BuildReport) -> dict:
    """What the version records: model, chunker, corpus, and per file its hash, title, passages, pages, when."""
    per_document = Counter(c.doc_id for c in chunks)
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    old_files = previous.manifest.get("files", {}) if previous is not None else {}
    old_created = previous.manifest.get("created") if previous is not None else None
    return {
        "model": embedder.model_id,
        "dimension": embedder.dimension,
        "chunker_version": CHUNKER_VERSION,
        "corpus": str(corpus),
        "created": created,
        "files": {
            d.doc_id: {"sha256": d.sha256, "title": d.title, "kind": d.kind, "reader": reader_version(d.kind),
                       "chunks": per_document[d.doc_id],
                       **_when_and_pages(d.doc_id, pages, old_files, old_created, created)}
            for d in documents
        },
        "skipped": [{"file": f, "reason": r} for f, r in report.skipped],
    }


def _when_and_pages(doc_id: str, pages: dict, old_files: dict, old_created: str | None, now: str) -> dict:
    """A file's page count and when its content was indexed: now when it was read now, else as before."""
    if doc_id in pages:
        return {"pages": pages[doc_id], "indexed": now}
    old = old_files.get(doc_id, {})
    return {"pages": old.get("pages"), "indexed": old.get("indexed") or old_created}


def _fill_counts(report: BuildReport, manifest: dict) -> None:
    report.documents = len(manifest.get("files", {}))
    report.chunks = manifest.get("chunks", 0)


def _open_previous(writer: Writer, embedder: Embedder) -> Backend | None:
    """The current version if its parts can be reused, else None (full rebuild)."""
    try:
        snapshot = writer.open_current()
    except IndexCorrupt as exc:
        log.warning("Bestaande index wordt niet hergebruikt: %s", exc)
        return None
    if snapshot is None:
        return None
    manifest = snapshot.manifest
    if (manifest.get("model") != embedder.model_id
            or manifest.get("dimension") != embedder.dimension
            or manifest.get("chunker_version") != CHUNKER_VERSION):
        log.info("Model of chunker gewijzigd: de hele index wordt opnieuw gebouwd.")
        return None
    if snapshot.outdated:
        log.info("Index van een ouder formaat: passages en vectoren worden hergebruikt, de rest opnieuw opgebouwd.")
    return snapshot


def _read_alike(previous: Backend, old: StoredDocument) -> bool:
    """Whether this version's reader of the document's kind is the one that read it before."""
    entry = previous.manifest.get("files", {}).get(old.doc_id) or {}
    return entry.get("reader", 1) == reader_version(old.kind)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

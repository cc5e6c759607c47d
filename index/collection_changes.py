"""Changing a collection's documents: staged files in, a document out, and a new index version after.

What web.jobs runs for an upload or a removal, in steps that can all be run again after a crash:

* an upload's files wait in its staging folder (`staging_folder`: `<collection>/.staging/<job>/files/<name>`,
  beside the documents folder, so on the same file system). `apply_upload` first makes the documents folder the source (index.document_folder),
  then moves each staged file into it -- an existing document of that name goes to `<staging>/replaced/`
  first -- and builds the index from the documents folder: one new version, switched in when all files
  are done (index.build). A staged file that is already gone was moved by an earlier run.
* a file the build skips (broken, empty, over a limit) does not stay: it is taken out of the documents
  folder again, and the document it replaced is put back (and indexed again), so a broken upload never
  costs the index a document.
* `apply_removal` removes the document's file and builds; when no readable document is left the
  collection's index is dropped, so the document is gone from answers either way.

A build of the same collection that holds the lock (a `vraagbaak index` run, another process's job) is
waited for: `wait` is asked between tries and ends the wait by returning False.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .build import BuildReport, FileDone, NothingToIndex, Progress, build_index
from .build_lock import BuildBusy
from .collections import Collection
from .document_folder import adopt, document_path, put_file
from .embedder import Embedder
from .readers.limits import ReadLimits

log = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 1.0
LOST_AFTER_RESTART = "het bestand is na een herstart niet meer gevonden; upload het opnieuw"
NOT_INDEXED = "niet gevonden bij het indexeren"


@dataclass(frozen=True)
class FileResult:
    name: str
    status: str  # "indexed", "unchanged", "skipped" or "removed"
    reason: str | None = None


@dataclass(frozen=True)
class Builder:
    """How to build one collection: its model, limits, progress, and how long to wait for its lock."""

    embedder: Embedder
    limits: ReadLimits
    progress: Progress | None = None
    on_file: FileDone | None = None
    wait: Callable[[], bool] = lambda: True

    def build(self, collection: Collection) -> BuildReport:
        """build_index over the documents folder; when another build holds the lock, wait and try again."""
        while True:
            try:
                return build_index(collection.documents, collection.index_root, self.embedder,
                                   source=collection.source, limits=self.limits, progress=self.progress,
                                   on_file=self.on_file)
            except BuildBusy:
                if not self.wait():
                    raise
                time.sleep(BUSY_RETRY_SECONDS)


def staging_root(collection: Collection) -> Path:
    """Where uploads to `collection` wait: beside its documents folder, hidden, on the same file system."""
    return collection.documents.parent / ".staging"


def staging_folder(collection: Collection, job_id: str) -> Path:
    return staging_root(collection) / job_id


def staged_files(staging: Path) -> Path:
    """The files of one upload, under their own names, before they go into the documents folder."""
    return staging / "files"


def apply_upload(collection: Collection, staging: Path, names: list[str], builder: Builder) -> list[FileResult]:
    """Put the staged files `names` into the collection and build; what became of each file."""
    adopt(collection, collection.source.current_manifest())
    replaced = staging / "replaced"
    lost = set()
    moved = []
    for name in names:
        staged, target = staged_files(staging) / name, document_path(collection, name)
        if staged.is_file():
            if target.exists() and not (replaced / name).exists():
                put_file(target, replaced / name, move=True)
            put_file(staged, target, move=True)
            moved.append(name)
        elif not target.is_file():
            lost.add(name)
    try:
        skipped = _build_skipping(collection, builder)
    except BaseException:
        _put_back(collection, staging, moved)
        raise
    results = [_result(name, skipped, lost) for name in names]
    _take_back(collection, replaced, [r.name for r in results if r.status == "skipped" and r.name not in lost],
               builder)
    return results


def _put_back(collection: Collection, staging: Path, names: list[str]) -> None:
    """A build that failed or was stopped: its files back in staging, the documents they replaced back in place.

    The documents folder is then as before the job: a failed job's files are not indexed by
    the next one, a replaced document is not lost, and a job run again finds its files staged.
    """
    replaced = staging / "replaced"
    for name in names:
        target = document_path(collection, name)
        if target.is_file():
            put_file(target, staged_files(staging) / name, move=True)
        if (replaced / name).is_file():
            put_file(replaced / name, target, move=True)


def _build_skipping(collection: Collection, builder: Builder) -> dict:
    """Build; the files it indexed, reused and skipped: {"indexed": set, "unchanged": set, "skipped": {name: reason}}."""
    try:
        report = builder.build(collection)
    except NothingToIndex as exc:
        return {"indexed": set(), "unchanged": set(), "skipped": dict(exc.skipped)}
    return {"indexed": set(report.embedded_files), "unchanged": set(report.reused_files),
            "skipped": dict(report.skipped)}


def _result(name: str, outcome: dict, lost: set[str]) -> FileResult:
    if name in lost:
        return FileResult(name, "skipped", LOST_AFTER_RESTART)
    if name in outcome["skipped"]:
        return FileResult(name, "skipped", outcome["skipped"][name])
    for status in ("indexed", "unchanged"):
        if name in outcome[status]:
            return FileResult(name, status)
    return FileResult(name, "skipped", NOT_INDEXED)


def _take_back(collection: Collection, replaced: Path, names: list[str], builder: Builder) -> None:
    """Skipped files leave the documents folder; the documents they replaced come back, indexed again."""
    restored = False
    for name in names:
        target = document_path(collection, name)
        target.unlink(missing_ok=True)
        if (replaced / name).is_file():
            put_file(replaced / name, target, move=True)
            restored = True
    if restored:
        log.info("Vervangen documenten teruggezet in %s: %s", collection.name, ", ".join(names))
        _build_skipping(collection, Builder(builder.embedder, builder.limits, wait=builder.wait))


def apply_removal(collection: Collection, name: str, builder: Builder) -> list[FileResult]:
    """Remove the document `name` and build; without any readable document left, drop the index."""
    adopt(collection, collection.source.current_manifest())
    document_path(collection, name).unlink(missing_ok=True)
    _prune_empty_folders(collection, name)
    try:
        builder.build(collection)
    except NothingToIndex:
        _drop(collection, builder)
    return [FileResult(name, "removed")]


def _drop(collection: Collection, builder: Builder) -> None:
    while True:
        try:
            collection.source.drop()
            return
        except BuildBusy:
            if not builder.wait():
                raise
            time.sleep(BUSY_RETRY_SECONDS)


def _prune_empty_folders(collection: Collection, name: str) -> None:
    folder = document_path(collection, name).parent
    while folder != collection.documents and folder.is_relative_to(collection.documents):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent

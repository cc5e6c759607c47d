"""The default backend: versions in folders under an index root (index.store)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..build_lock import BuildLock
from ..errors import VraagbaakError
from ..store import (
    MANIFEST,
    VERSIONS,
    IndexSnapshot,
    StoredDocument,
    current_version,
    open_index,
    prune_versions,
    switch_current,
    write_version,
)
from ..types import Chunk
from .base import Source, Writer

log = logging.getLogger(__name__)


class LocalWriter(Writer):
    """Writes a version folder under the root, then points `current` at it."""

    def __init__(self, root: Path):
        self.root = root

    def open_current(self) -> IndexSnapshot | None:
        folder = current_version(self.root)
        return IndexSnapshot(folder) if folder is not None else None

    def publish(self, version: str, manifest: dict, documents: list[StoredDocument], chunks: list[Chunk],
                vectors: np.ndarray, lexical, notify=None) -> None:
        folder = self.root / VERSIONS / version
        write_version(folder, manifest, documents, chunks, vectors, lexical)
        switch_current(self.root, folder)
        prune_versions(self.root)


class LocalSource(Source):
    name = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def latest(self) -> str | None:
        folder = current_version(self.root)
        return folder.name if folder is not None else None

    def open(self) -> IndexSnapshot:
        return open_index(self.root)

    def describe(self) -> dict:
        return {"backend": self.name}

    def build_target(self) -> LocalWriter:
        return LocalWriter(self.root)

    def rollback(self) -> tuple[str, str, int]:
        missing = VraagbaakError(f"Er is geen index in {self.root} om terug te zetten.")
        if not self.root.is_dir():  # the lock file lives in the root: don't create one to fail
            raise missing
        with BuildLock(self.root):
            current = current_version(self.root)
            if current is None:
                raise missing
            older = sorted((p for p in (self.root / VERSIONS).iterdir()
                            if p.is_dir() and (p / MANIFEST).exists() and p.name < current.name),
                           key=lambda p: p.name, reverse=True)
            for candidate in older:
                try:
                    snapshot = IndexSnapshot(candidate)
                except VraagbaakError as exc:
                    log.warning("Versie %s overgeslagen: %s", candidate.name, exc)
                    continue
                size = snapshot.size
                snapshot.close()
                switch_current(self.root, candidate)
                return current.name, candidate.name, size
            raise VraagbaakError(f"Er is geen oudere complete indexversie dan {current.name} in {self.root}.")

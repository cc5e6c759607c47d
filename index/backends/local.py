"""The default backend: versions in folders under an index root (index.store)."""

from __future__ import annotations

from pathlib import Path

from ..store import IndexSnapshot, current_version, open_index
from .base import Source


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

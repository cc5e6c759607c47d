"""The Milvus backend: chunks, vectors, BM25 weights and citations in Milvus (server or Milvus Lite).

Every version lives in Milvus (see schema), so any number of replicas can
serve from one Milvus server without local files. Requires the optional
dependencies `pip install 'vraagbaak[milvus]'` (pymilvus and milvus-lite).
"""

from __future__ import annotations

import threading
import time

from ...errors import BackendUnavailable, IndexMissing, VraagbaakError
from ..base import Source
from .client import Connection, MilvusOptions, check_options

# The alias is asked on every request; a second's delay in noticing a new version is fine.
LATEST_TTL = 1.0


class MilvusSource(Source):
    name = "milvus"

    def __init__(self, options: MilvusOptions):
        problems = check_options(options)
        if problems:
            raise VraagbaakError(" ".join(problems))
        self.options = options
        self.conn = Connection(options)
        self._lock = threading.Lock()
        self._latest: tuple[float, str | None] | None = None
        self._problem: str | None = None

    def latest(self) -> str | None:
        cached = self._latest
        now = time.monotonic()
        if cached is not None and now - cached[0] < LATEST_TTL:
            return cached[1]
        from .writer import current_version

        try:
            version = current_version(self.conn, self.options.collection)
        except BackendUnavailable as exc:
            self._latest = None
            self._problem = str(exc)
            raise
        self._problem = None
        self._latest = (now, version)
        return version

    def open(self):
        from .backend import MilvusBackend

        version = self.latest()
        if version is None:
            raise IndexMissing(
                f"Er is nog geen index '{self.options.collection}' in Milvus ({self.options.shown_uri}). "
                "Bouw er een met: vraagbaak index <map met documenten>")
        return MilvusBackend(self.conn, self.options.collection, version)

    def current_manifest(self) -> dict | None:
        from .backend import read_manifest

        version = self.latest()
        return read_manifest(self.conn, self.options.collection, version, any_format=True) if version else None

    def describe(self) -> dict:
        return {"backend": self.name, "milvus": {
            "uri": self.options.shown_uri, "lite": self.options.lite, "collection": self.options.collection,
            "state": "unreachable" if self._problem else ("connected" if self._latest else "unknown")}}

    def build_target(self):
        """What index.build writes through: a fresh writer for one build."""
        from .writer import MilvusWriter

        self._latest = None
        return MilvusWriter(self.conn, self.options.collection)

    def rollback(self) -> tuple[str, str, int]:
        from .writer import MilvusWriter

        self._latest = None
        return MilvusWriter(self.conn, self.options.collection).rollback()

    def for_index(self, name: str) -> MilvusSource:
        """The same Milvus and settings, the index (alias) `<collection>_<name>`."""
        from dataclasses import replace

        other = MilvusSource(replace(self.options, collection=f"{self.options.collection}_{name}"))
        other.conn = self.conn
        return other

    def for_collection(self, name: str, folder) -> MilvusSource:
        return self.for_index("c_" + name.replace("-", "_"))

    def drop(self) -> None:
        """Every version of this index, and its alias."""
        from .writer import drop_version, stored_versions

        self._latest = None
        if self.options.collection in self.conn.call("list_aliases").get("aliases", []):
            self.conn.call("drop_alias", self.options.collection)
        for version in stored_versions(self.conn, self.options.collection):
            drop_version(self.conn, self.options.collection, version)

    def close(self) -> None:
        self.conn.close()


__all__ = ["MilvusOptions", "MilvusSource"]

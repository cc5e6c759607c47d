"""Holds the model and the current index snapshot for the app, and notices new builds.

Opening a snapshot is cheap next to loading the model, so the engine checks the
index's `current` link on every request and switches to a newer version as
soon as a build has finished: answering never waits for a build, and a build
never needs a restart.

A new version that cannot be opened (corrupt files, another model) does not
take the service down: the engine keeps answering from the snapshot it has,
logs the error once, and reports the problem through `state()` (GET /readyz)
until a good version appears or `reload()` succeeds.

Where versions come from is the backend the settings name (VRAAGBAAK_BACKEND:
local files, or Milvus; index.backends). A backend that cannot be reached at
all (BackendUnavailable) is not a broken version: it is retried on every
request, and until it answers /readyz says the instance is not ready.
"""

from __future__ import annotations

import logging
import threading

from index.backends import Source, configured_source
from index.backends.combined import CombinedBackend
from index.embedder import Embedder, embedder_for
from index.errors import BackendUnavailable, IndexMissing, VraagbaakError
from index.settings import Settings
from qa.options import AnswerOptions
from qa.service import Answerer

from .answering import problem_code

log = logging.getLogger(__name__)


class Engine:
    def __init__(self, settings: Settings, options: AnswerOptions | None = None, source: Source | None = None,
                 *, collection: str = "standaard", embedder: Engine | None = None):
        """`embedder`: another engine whose model this one shares (one model per process, however many
        collections)."""
        self.settings = settings
        self.collection = collection
        self.source = source or configured_source(settings)  # local files, or Milvus (VRAAGBAAK_BACKEND)
        self.options = options or AnswerOptions.from_settings(settings)
        self._model_owner = embedder
        self._embedder: Embedder | None = None
        self._answerer: Answerer | None = None
        self._lock = threading.RLock()  # re-entrant: a switch (lock held) may load the model
        # The version that failed to open and why; not retried until the current version moves or reload().
        self._failed: tuple[str | None, VraagbaakError] | None = None
        self.listeners: list = []  # objects with switched(snapshot) and failed(version, exc)
        # Set while the backend itself (a Milvus server) cannot be reached: then nothing can be answered.
        self._unreachable: BackendUnavailable | None = None

    @property
    def embedder(self) -> Embedder:
        if self._model_owner is not None:
            return self._model_owner.embedder
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = embedder_for(self.settings)
        return self._embedder

    def answerer(self) -> Answerer:
        """The answerer over the newest usable index; raises a VraagbaakError if there is none."""
        current = self._answerer
        latest = self._latest()
        if current is not None and latest == current.snapshot.version:
            return current
        if current is not None and latest is None:
            self._forget_removed(current)
            current = None
        failed = self._failed
        if failed is not None and failed[0] == latest:
            if current is not None:
                return current  # the new version is broken: keep serving the old one
            raise failed[1]
        with self._lock:
            return self._switch(force=False)

    def _forget_removed(self, current: Answerer) -> None:
        """The index was removed (a collection's last document went): answer nothing from it any more."""
        with self._lock:
            if self._answerer is current:
                self._answerer = None
                self._failed = None
                log.info("Index van %s verwijderd; versie %s wordt niet meer gebruikt", self.collection,
                         current.snapshot.version)

    def _latest(self) -> str | None:
        try:
            latest = self.source.latest()
        except BackendUnavailable as exc:
            if self._unreachable is None:
                log.error("%s", exc, extra={"reason": problem_code(exc)})
            self._unreachable = exc
            raise
        self._unreachable = None
        return latest

    def index_version(self) -> str | None:
        """The version answers come from: the one loaded, else the one the source calls current.

        None when there is none or the backend cannot be asked; never raises.
        """
        current = self._answerer
        if current is not None:
            return current.snapshot.version
        try:
            return self.source.latest()
        except VraagbaakError:
            return None

    def reload(self) -> dict:
        """Check `current` now, retrying a version that failed before; returns state()."""
        with self._lock:
            self._failed = None
            try:
                self._switch(force=True)
            except VraagbaakError:
                pass
        return self.state()

    def _switch(self, *, force: bool) -> Answerer:
        current = self._answerer
        latest = self._latest()
        if current is not None and latest == current.snapshot.version:
            return current
        if not force and self._failed is not None and self._failed[0] == latest:
            if current is not None:
                return current
            raise self._failed[1]
        try:
            embedder = self.embedder
            snapshot = CombinedBackend({self.collection: self.source.open()})  # its chunks name their collection
            answerer = Answerer(snapshot, embedder, self.options)
        except BackendUnavailable as exc:
            self._unreachable = exc  # transient: retried on the next request, unlike a broken version
            raise
        except VraagbaakError as exc:
            self._failed = (latest, exc)
            if current is None:
                # No index yet is how every new collection starts: no error, though it is worth a line.
                level = logging.INFO if isinstance(exc, IndexMissing) else logging.ERROR
                log.log(level, "Index niet bruikbaar: %s", exc, extra={"reason": problem_code(exc)})
                raise
            log.error("Nieuwe indexversie %s niet bruikbaar, versie %s blijft in gebruik: %s",
                      latest or "?", current.snapshot.version, exc,
                      extra={"reason": problem_code(exc), "version": current.snapshot.version})
            self._notify("failed", latest, exc)
            return current
        self._failed = None
        previous = current.snapshot.version if current else None
        self._answerer = answerer
        log.info("Index %s geladen (%d passages)%s", snapshot.version, snapshot.size,
                 f", was {previous}" if previous else "", extra={"version": snapshot.version})
        self._notify("switched", snapshot)
        return answerer

    def _notify(self, event: str, *args) -> None:
        for listener in self.listeners:
            try:
                getattr(listener, event)(*args)
            except Exception:  # a metrics hiccup must never break answering
                log.exception("Listener %r faalde bij %s", listener, event)

    def state(self) -> dict:
        """What /readyz reports; cheap, loads nothing."""
        current = self._answerer
        failed = self._failed
        unreachable = self._unreachable
        state: dict = {"ready": current is not None, "status": "ready" if current is not None else "unavailable",
                       **self.source.describe()}
        if unreachable is not None:
            # Whatever is loaded, every question needs the backend: not ready.
            state.update(ready=False, status="unavailable")
            state["problem"] = {"code": problem_code(unreachable), "message": str(unreachable),
                                "version": current.snapshot.version if current else None}
        if current is not None:
            snapshot = current.snapshot
            state["index"] = {
                "version": snapshot.version,
                "documents": len(snapshot.manifest.get("files", {})),
                "chunks": snapshot.size,
                "model": snapshot.manifest.get("model", ""),
            }
        if failed is not None and unreachable is None:
            version, exc = failed
            state["problem"] = {"code": problem_code(exc), "message": str(exc), "version": version}
            if current is not None:
                state["status"] = "degraded"
        return state

"""Holds the model and the current index snapshot for the app, and notices new builds.

Opening a snapshot is cheap next to loading the model, so the engine checks the
index's `current` link on every request and switches to a newer version as
soon as a build has finished: answering never waits for a build, and a build
never needs a restart.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from index.embedder import Embedder, load_embedder
from index.store import current_version, open_index
from qa.options import AnswerOptions
from qa.service import Answerer

log = logging.getLogger(__name__)


class Engine:
    def __init__(self, index_root: Path, model: str | None = None, options: AnswerOptions | None = None):
        self.index_root = index_root
        self.model = model
        self.options = options
        self._embedder: Embedder | None = None
        self._answerer: Answerer | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = load_embedder(self.model)
        return self._embedder

    def answerer(self) -> Answerer:
        """The answerer over the newest complete index; raises a VraagbaakError if there is none."""
        current = self._answerer
        if current is not None and current_version(self.index_root) == current.snapshot.folder:
            return current
        with self._lock:
            current = self._answerer
            latest = current_version(self.index_root)
            if current is None or latest != current.snapshot.folder:
                embedder = self._embedder or load_embedder(self.model)
                self._embedder = embedder
                snapshot = open_index(self.index_root)
                self._answerer = Answerer(snapshot, embedder, self.options)
                log.info("Index %s geladen (%d passages)", snapshot.version, snapshot.size)
            return self._answerer

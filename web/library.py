"""The collections the app serves: one engine per collection, one model, and answers over several.

Each collection (index.collections) gets its own `Engine`, made when first
asked, so it notices its own new builds exactly as the single index did; all
engines share the engine of `standaard`'s model. A question over several
collections is answered by an `Answerer` over the combined current versions
(index.backends.combined), kept while none of those versions changes.

Who may read which collection is not decided here (web.access): the library
answers over the collections it is given.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from flask import current_app

from index.backends.combined import CombinedBackend
from index.collections import STANDARD, Collections, open_collections
from index.errors import IndexMissing
from index.settings import Settings
from qa.options import AnswerOptions
from qa.service import Answerer

from .engine import Engine

log = logging.getLogger(__name__)

EXTENSION = "vraagbaak.library"
NO_DOCUMENTS = "Er zijn nog geen documenten in de gevraagde collecties."
_KEPT = 16  # combined answerers kept (one per set of collections and versions asked lately)


class Library:
    def __init__(self, settings: Settings, options: AnswerOptions | None = None, *,
                 collections: Collections | None = None):
        self.settings = settings
        self.options = options or AnswerOptions.from_settings(settings)
        self.collections = collections or open_collections(settings)
        self.standard = Engine(settings, self.options, self.collections.source, collection=STANDARD)
        self._engines: dict[str, Engine] = {STANDARD: self.standard}
        self._combined: dict[tuple, Answerer] = {}
        self._lock = threading.Lock()
        self.listeners: list = []  # added to every engine, now and later (metrics)

    def names(self) -> list[str]:
        return self.collections.names()

    def engine(self, name: str) -> Engine:
        """The engine of collection `name`; CollectionMissing when it does not exist (any more)."""
        collection = self.collections.get(name)
        with self._lock:
            engine = self._engines.get(name)
            if engine is None or engine.source is not collection.source:
                engine = Engine(self.settings, self.options, collection.source, collection=name,
                                embedder=self.standard)
                engine.listeners.extend(self.listeners)
                self._engines[name] = engine
            return engine

    def forget(self, name: str) -> None:
        """Drop a removed collection's engine and answerers, and tell the listeners (`removed(name)`)."""
        with self._lock:
            self._engines.pop(name, None)
            self._combined = {key: a for key, a in self._combined.items() if name not in dict(key)}
        for listener in self.listeners:
            try:
                getattr(listener, "removed", lambda _: None)(name)
            except Exception:  # a metrics hiccup must never break a removal
                log.exception("Listener %r faalde bij het verwijderen van %s", listener, name)

    def answerer(self, names: Sequence[str]) -> Answerer:
        """The answerer over the current versions of these collections, in this order.

        One collection: its engine's own answerer. Several: a combined one;
        a collection that has no index yet is left out, and IndexMissing is
        raised only when none of them has one.
        """
        names = list(dict.fromkeys(names))
        if len(names) == 1:
            return self.engine(names[0]).answerer()
        parts: dict[str, Answerer] = {}
        missing: IndexMissing | None = None
        for name in names:
            try:
                parts[name] = self.engine(name).answerer()
            except IndexMissing as exc:
                missing = exc
        if not parts:
            raise missing or IndexMissing(NO_DOCUMENTS)
        if len(parts) == 1:
            return next(iter(parts.values()))
        key = tuple((name, answerer.snapshot.version) for name, answerer in parts.items())
        with self._lock:
            found = self._combined.get(key)
            if found is None:
                combined = CombinedBackend({name: answerer.snapshot for name, answerer in parts.items()})
                found = Answerer(combined, self.standard.embedder, self.options)
                if len(self._combined) >= _KEPT:
                    self._combined.pop(next(iter(self._combined)))
                self._combined[key] = found
            return found


def init_app(app, settings: Settings, options: AnswerOptions | None) -> Library:
    library = Library(settings, options)
    app.extensions[EXTENSION] = library
    return library


def library(app=None) -> Library:
    return (app or current_app).extensions[EXTENSION]

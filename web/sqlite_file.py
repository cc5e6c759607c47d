"""Opening the SQLite file a small store keeps its table in (tokens, feedback).

A connection per call, so any thread may use a store; the folder is made
when missing and the store's schema is applied (idempotent statements), so a
new file works at once and an old one is brought up to date in place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from index.errors import VraagbaakError


class StoreUnreadable(VraagbaakError):
    """A store's file exists but is no SQLite database (or a damaged one)."""


def open_sqlite(path: Path, prepare: Callable[[sqlite3.Connection], None], *, timeout: float = 10) -> sqlite3.Connection:
    """A new connection to `path`, with `prepare` (the store's schema) applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=timeout)
    try:
        prepare(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise StoreUnreadable(f"{path} is geen leesbare SQLite-database ({exc}). Zet het bestand opzij of "
                              "herstel het uit een kopie.") from exc
    return db

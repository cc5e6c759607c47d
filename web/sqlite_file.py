"""Opening the SQLite file a small store keeps its table in (tokens, feedback).

A connection per call, so any thread may use a store; the folder is made
when missing and the store's schema is applied (idempotent statements), so a
new file works at once and an old one is brought up to date in place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path


def open_sqlite(path: Path, prepare: Callable[[sqlite3.Connection], None], *, timeout: float = 10) -> sqlite3.Connection:
    """A new connection to `path`, with `prepare` (the store's schema) applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=timeout)
    prepare(db)
    return db

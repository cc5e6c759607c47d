"""One build (or rollback) per index root at a time; a second one fails fast and clearly."""

from __future__ import annotations

import fcntl
from pathlib import Path

from .errors import VraagbaakError


class BuildBusy(VraagbaakError):
    """Another build (or rollback) holds the lock of this index root right now."""


class BuildLock:
    def __init__(self, root: Path):
        self.path = Path(root) / ".build.lock"

    def __enter__(self):
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self.handle.close()
            raise BuildBusy(f"Er loopt al een indexbouw voor {self.path.parent}.") from exc
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()

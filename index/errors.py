"""Errors raised by the index layer; messages are shown to users, in Dutch."""


class VraagbaakError(Exception):
    """Base class: anything that keeps an index from being read or built."""


class ReadError(VraagbaakError):
    """A document could not be read; the build skips it and reports why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelError(VraagbaakError):
    """The embedding model is missing, broken or does not match its reference."""


class IndexMissing(VraagbaakError):
    """No index has been built yet at the expected location."""


class IndexCorrupt(VraagbaakError):
    """An index exists but its files are unreadable or inconsistent."""


class ModelMismatch(VraagbaakError):
    """The index was built with another model than the one configured."""


class BackendUnavailable(VraagbaakError):
    """The search backend (a Milvus server) cannot be reached or refuses the request."""

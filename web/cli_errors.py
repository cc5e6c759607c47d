"""What the system refused a command, said in Dutch instead of a Python traceback.

Commands catch the errors they expect (VraagbaakError; one they did not
expect ends the same way here). What the machine itself refuses can come
from anywhere: a full disk while an index is written,
a read-only folder, a file that is no database. `DutchErrors` turns those
into one line ("Fout: De schijf is vol: ..."), exit code 1; with
`vraagbaak -v` the traceback is logged as well. A bug (any other exception)
keeps its traceback: it should be seen and reported.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

import click

from index.errors import VraagbaakError

log = logging.getLogger(__name__)

_BY_ERRNO = {
    errno.ENOSPC: "De schijf is vol",
    errno.EDQUOT: "De schijfruimte (quotum) is op",
    errno.EROFS: "Het bestandssysteem is alleen-lezen",
    errno.EACCES: "Geen toegang (rechten)",
    errno.EPERM: "Niet toegestaan (rechten)",
    errno.ENOENT: "Bestand of map bestaat niet",
    errno.ENOTDIR: "Een deel van het pad is geen map",
    errno.EISDIR: "Dit is een map, geen bestand",
    errno.EFBIG: "Het bestand wordt te groot voor dit systeem",
    errno.EMFILE: "Te veel open bestanden",
    errno.EIO: "Lees- of schrijffout van de schijf",
}
# Native libraries (FAISS) report a failed write as a RuntimeError that quotes the system.
_DISK_FULL_WORDS = ("No space left on device", "Disk quota exceeded")


def system_error_message(exc: BaseException) -> str | None:
    """The Dutch line for what the system refused, or None when `exc` is no such refusal."""
    if isinstance(exc, VraagbaakError):  # ours, with its Dutch message, where a command did not expect it
        return str(exc)
    if isinstance(exc, OSError):
        what = _BY_ERRNO.get(exc.errno, "Systeemfout")
        where = exc.filename if exc.filename is not None else None
        detail = f" ({exc.strerror})" if what == "Systeemfout" and exc.strerror else ""
        return f"{what}{detail}: {where}." if where else f"{what}{detail}."
    if isinstance(exc, sqlite3.DatabaseError):
        return f"Een databasebestand is onleesbaar of beschadigd ({exc}). Zet het opzij of herstel het uit een kopie."
    if isinstance(exc, RuntimeError) and any(words in str(exc) for words in _DISK_FULL_WORDS):
        return "De schijf is vol: een indexbestand kon niet worden geschreven."
    return None


class DutchErrors(click.Group):
    """A command group whose commands end with a Dutch line when the system refuses them."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (VraagbaakError, OSError, sqlite3.DatabaseError, RuntimeError) as exc:
            message = system_error_message(exc)
            if message is None:
                raise
            log.debug("Wat het systeem weigerde", exc_info=exc)
            raise click.ClickException(message) from exc

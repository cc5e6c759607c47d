"""Readers: turn one file of the corpus folder into a `Document`.

One small module per format; this package decides which files belong to the
corpus (`iter_corpus`) and dispatches on the suffix (`read_document`). Every
failure, whatever its cause, leaves here as a `ReadError` naming the file by
its doc_id and giving a short Dutch reason, so one bad file never stops a
build. What a file may cost to read -- its size, what it unpacks to, the text
it yields -- is bounded by `ReadLimits` (see `limits`).
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from index.errors import ReadError
from index.readers.common import short_reason
from index.readers.limits import DEFAULT_LIMITS, ReadLimits, check_text, too_large
from index.types import Document

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
# The version of each document kind's reader; a kind not named is at 1. Raise it when the
# reader gives other text for the same file: an update then reads that kind's files again,
# and only those, instead of keeping the passages it read before (index.build).
# docx 2: tracked insertions, footnotes, and tables row by row; docx 3: a manual line break
# is a space. pdf 2: two columns under a title across the gutter, and pages whose text runs
# sideways. html 2: soft hyphens dropped, tables of data row by row, cookie notices, skip
# links and ARIA page chrome left out. pdf 3: a footnote numbered by a superscript character
# ("¹ Zie ...") leaves the running text, as one numbered by digits does; a letter's side column
# is one block, read before the body beside it; "totaal-" + "bedrag" at a line end is one word;
# a list's hanging numbers are read with their items, not as a column apart; a footnote placed
# after a paragraph that runs on to the next page is cited on its own page.
# docx 4: a letter's "Betreft" line is its title before its first heading. html 3: a news
# page's breadcrumbs, share buttons, tags and lists of other articles left out. pdf 4: a drawn
# chart's loose labels leave the text (index.pdf.charts); a short two-column section between
# full-width paragraphs is read column by column.
READER_VERSIONS = {"docx": 4, "html": 3, "pdf": 4}


def reader_version(kind: str) -> int:
    """The version of the reader of documents of this kind (`Document.kind`)."""
    return READER_VERSIONS.get(kind, 1)


def doc_id_for(path: Path, root: Path) -> str:
    """The path relative to root, POSIX separators (the link's path for symlinks)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        raise ReadError(path.name, "bestand ligt buiten de documentmap") from None


def _limits(limits: ReadLimits | None, max_bytes: int | None) -> ReadLimits:
    limits = limits or DEFAULT_LIMITS
    return limits if max_bytes is None else replace(limits, max_bytes=max_bytes)


def _reader(suffix: str):
    """The read(path, doc_id, limits) function for a lower-case suffix; imported lazily."""
    if suffix in (".txt", ".md"):
        from index.readers.text import read
    elif suffix == ".pdf":
        from index.readers.pdf import read
    elif suffix == ".docx":
        from index.readers.docx import read
    elif suffix in (".html", ".htm"):
        from index.readers.html import read
    else:
        return None
    return read


def read_document(path: Path, root: Path, *, max_bytes: int | None = None,
                  limits: ReadLimits | None = None) -> Document:
    """Read one corpus file within `limits` (max_bytes, when given, replaces
    limits.max_bytes); raises ReadError (never anything else) on failure."""
    path, root = Path(path), Path(root)
    doc_id = doc_id_for(path, root)
    limits = _limits(limits, max_bytes)
    try:
        reader = _reader(path.suffix.lower())
        if reader is None:
            raise ReadError(doc_id, f"bestandstype {path.suffix or '(geen)'} wordt niet ondersteund")
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise ReadError(doc_id, too_large(size, limits.max_bytes))
        if size == 0:
            raise ReadError(doc_id, "bestand is leeg")
        document = reader(path, doc_id, limits)
        check_text(doc_id, document.text, limits)
        return document
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(doc_id, os_error_reason(exc)) from None
    except RecursionError:
        raise ReadError(doc_id, "bestand is te diep genest om te lezen") from None
    except MemoryError:
        raise ReadError(doc_id, "te weinig geheugen om dit bestand te lezen") from None
    except Exception as exc:  # noqa: BLE001 - the contract: only ReadError leaves
        log.debug("unexpected error reading %s", doc_id, exc_info=True)
        raise ReadError(doc_id, f"fout bij lezen: {short_reason(exc)}") from exc


def os_error_reason(exc: OSError) -> str:
    """What the system refused, in Dutch; the system's own words (English) only in brackets."""
    if isinstance(exc, FileNotFoundError):
        return "bestand niet gevonden"
    if isinstance(exc, PermissionError):
        return "geen leesrechten voor dit bestand"
    if isinstance(exc, IsADirectoryError):
        return "dit is een map, geen bestand"
    return f"kan niet gelezen worden ({short_reason(exc)})"


def _report(on_error: Callable[[ReadError], None] | None, error: ReadError) -> None:
    if on_error is None:
        log.warning("%s", error)
    else:
        on_error(error)


def is_utf8(name: str) -> bool:
    """Whether a file name (as os.walk gives it, undecodable bytes as surrogates) is valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(name: str) -> str:
    """A file name as one line of output: control characters and undecodable bytes escaped.

    A name may hold a newline ("a\\nOvergeslagen: ...") or a terminal escape; printed as is, it
    would forge a line of the report or the log.
    """
    if name.isprintable() and is_utf8(name):
        return name
    return "".join(ch if ch.isprintable() and is_utf8(ch) else ascii(ch)[1:-1] for ch in name)


def iter_corpus(
    root: Path,
    *,
    max_bytes: int | None = None,
    limits: ReadLimits | None = None,
    on_error: Callable[[ReadError], None] | None = None,
) -> Iterator[Path]:
    """Supported files under root, recursively, sorted by doc_id.

    Skipped: hidden files and folders (name starts with "."), Office lock
    files ("~$..."), symlinked folders (their target is inside root, so
    already listed, or outside it), and -- each reported as a ReadError to
    `on_error` (default: a logged warning), so that the build lists it with
    its reason -- symlinks whose target lies outside root, is missing or is
    a loop, folders that cannot be read, and files over the size limit.
    """
    root = Path(root)
    if not root.is_dir():
        raise ReadError(str(root.name or root), "documentmap bestaat niet of is geen map")
    real_root = root.resolve()
    limit = _limits(limits, max_bytes).max_bytes
    found: list[tuple[str, Path]] = []

    def unreadable_folder(exc: OSError) -> None:
        try:
            where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
        except ValueError:
            where = Path(exc.filename).name
        where = str(root) if where == "." else where
        reason = "geen leesrechten" if isinstance(exc, PermissionError) else short_reason(exc)
        _report(on_error, ReadError(printable(where + "/"), f"map niet leesbaar ({reason}): "
                                                             "de bestanden erin zijn overgeslagen"))

    for folder, dirs, files in os.walk(root, followlinks=False, onerror=unreadable_folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith((".", "~$")) or not name.lower().endswith(SUPPORTED_SUFFIXES):
                continue
            path = Path(folder, name)
            doc_id = path.relative_to(root).as_posix()
            if path.is_symlink():
                problem = _symlink_problem(path, real_root)
                if problem:
                    _report(on_error, ReadError(printable(doc_id), problem))
                    continue
            found.append((doc_id, path))
    for doc_id, path in sorted(found):
        if not is_utf8(doc_id):
            # The name is stored and shown as text; bytes that are no UTF-8 cannot be.
            _report(on_error, ReadError(printable(doc_id), "de bestandsnaam is geen geldige UTF-8; geef het "
                                                           "bestand een andere naam"))
            continue
        try:
            info = path.stat()
        except OSError as exc:
            _report(on_error, ReadError(doc_id, f"bestand niet leesbaar: {short_reason(exc)}"))
            continue
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would be read forever
            _report(on_error, ReadError(doc_id, "geen gewoon bestand (een pijp, apparaat of socket)"))
            continue
        size = info.st_size
        if size > limit:
            _report(on_error, ReadError(doc_id, too_large(size, limit)))
            continue
        yield path


def _symlink_problem(path: Path, real_root: Path) -> str | None:
    """Why a symlink in the corpus is not read, or None when it points to a file inside it."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "symlink naar een bestand dat niet bestaat"
    except RuntimeError:  # "Symlink loop" on Python 3.11
        return "symlink die in een kring naar zichzelf verwijst"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink die in een kring naar zichzelf verwijst"
        return f"symlink niet te volgen ({short_reason(exc)})"
    if not target.is_relative_to(real_root):
        return "symlink naar een bestand buiten de documentmap"
    if not target.is_file():
        return "symlink naar iets anders dan een bestand"
    return None

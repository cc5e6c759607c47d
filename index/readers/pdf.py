"""PDF via pypdf: the text of each page, joined with a blank line.

Pages are joined with ``"\\n\\n"`` (not a form feed) because the paragraph
reconstruction already treats a blank line as a paragraph break, and a form
feed would be one more separator for every consumer to know about. The
consequence: a paragraph that runs over a page break is split in two, each
half citing its own page. ``page_starts[i]`` is the offset at which page
``i + 1``'s text starts, so ``Document.page_at`` maps any offset to a page
(the separator counts to the page before it); an empty page still gets an
entry so numbering matches the viewer.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from index.errors import ReadError
from index.readers.common import guess_title, meaningful_title, short_reason
from index.types import Document

log = logging.getLogger(__name__)

PAGE_SEPARATOR = "\n\n"
DAMAGED = "PDF is beschadigd of onvolledig: {}"
NO_TEXT = "PDF bevat geen tekst (gescand?)"
ENCRYPTED = "PDF is versleuteld"


def _open(data: bytes, doc_id: str):
    """A PdfReader, decrypted with the empty password where that suffices."""
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:
        raise ReadError(doc_id, DAMAGED.format("geen PDF-kop gevonden"))
    # pypdf only warns about a missing end marker and may then "recover" a
    # truncated file partially; a half-downloaded PDF should be reported.
    if b"%%EOF" not in data[-8192:]:
        raise ReadError(doc_id, DAMAGED.format("einde van het bestand ontbreekt"))
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parser failure means damage
        raise ReadError(doc_id, DAMAGED.format(short_reason(exc))) from exc
    if reader.is_encrypted:
        # Many PDFs are encrypted only to restrict printing/copying, with an
        # empty user password; those are readable.
        try:
            ok = reader.decrypt("")
        except Exception as exc:  # noqa: BLE001 - e.g. AES without a crypto lib
            raise ReadError(doc_id, f"{ENCRYPTED} ({short_reason(exc)})") from exc
        if not ok:
            raise ReadError(doc_id, ENCRYPTED)
    return reader


def _page_text(page, number: int, doc_id: str) -> str:
    """One page's text; a page that fails to extract is logged and left empty."""
    try:
        text = page.extract_text() or ""
    except Exception as exc:  # noqa: BLE001 - keep the other pages
        log.warning("%s: pagina %d niet leesbaar: %s", doc_id, number, short_reason(exc))
        return ""
    # NULs are invisible and confuse downstream tools; trailing blank lines
    # would make the page separator ambiguous.
    return text.replace("\x00", "").rstrip()


def read(path: Path, doc_id: str) -> Document:
    """Read a PDF: text per page, page offsets, metadata or guessed title."""
    reader = _open(path.read_bytes(), doc_id)
    try:
        pages = list(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise ReadError(doc_id, DAMAGED.format(short_reason(exc))) from exc
    if not pages:
        raise ReadError(doc_id, DAMAGED.format("geen pagina's gevonden"))

    parts: list[str] = []
    page_starts: list[int] = []
    offset = 0
    for number, page in enumerate(pages, start=1):
        if parts:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        page_starts.append(offset)
        text = _page_text(page, number, doc_id)
        parts.append(text)
        offset += len(text)
    text = "".join(parts)
    if not text.strip():
        raise ReadError(doc_id, NO_TEXT)

    try:
        meta_title = reader.metadata.title if reader.metadata else None
    except Exception:  # noqa: BLE001 - broken metadata is not worth failing
        meta_title = None
    title = meaningful_title(meta_title) or guess_title(text, path)
    return Document(
        doc_id=doc_id, title=title, text=text, kind="pdf", page_starts=tuple(page_starts)
    )

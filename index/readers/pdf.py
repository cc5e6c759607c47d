"""PDF: layout-aware reading (``index.pdf``), pypdf for checks and fallback.

pypdf first checks the file (a PDF header, an end marker, encryption with an
empty user password) so a damaged or locked file gets a clear Dutch reason.
Then the layout stages of ``index.pdf`` read the pages: page furniture out,
columns in order, footnotes apart, tables as rows, scanned pages by OCR.
The result is written as the HTML reader writes: one unit per line, units
separated by a blank line, headings as Markdown ``#`` lines and list items
without a glyph in the text as ``- item``, so the paragraph reconstruction
reads them as it reads HTML. A paragraph that runs over a page break is one
unit. ``page_starts[i]`` is the offset of the first character that comes
from page ``i + 1`` (a page with no text starts where the next text starts),
so ``Document.page_at`` gives every character its page and a unit over a page
break covers both pages.

Should the layout stages fail on a file pypdf can read, the reader falls
back to pypdf's plain text per page (joined by a blank line), with a warning.

Before any page is read, the file is judged as a whole (``index.pdf.unpack``):
its pages are counted (``max_pages``) and its streams measured as they
inflate (``max_unpacked_bytes``), so a small file that unpacks to gigabytes
is refused for a few megabytes. What each page then unpacks and draws is
counted while it is laid out (``PdfBudget``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from index.errors import ReadError
from index.readers.common import guess_title, meaningful_title, short_reason
from index.readers.limits import (
    DEFAULT_LIMITS, PdfBudget, ReadLimits, TextBudget, check_pages, check_text, unpacked_reason,
)
from index.types import Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfDocument(Document):
    """A PDF's Document, with what the layout stages found per page.

    `furniture`: per page (1-based) the header, footer, page-number and
    side-column lines that were left out of the text -- page metadata, never
    chunk text. `ocr_pages`: the pages read by OCR (no text layer), so that
    their chunks can say they were read from a scan. `placed_apart`: spans
    of `text` (start, end, page) read from an earlier page than the text
    around them: a footnote placed after the paragraph that holds its marker,
    where that paragraph runs on to the next page, is still on its own page.
    """

    furniture: tuple[tuple[int, tuple[str, ...]], ...] = ()
    ocr_pages: tuple[int, ...] = ()
    placed_apart: tuple[tuple[int, int, int], ...] = ()

    def page_at(self, offset: int) -> int | None:
        for start, end, page in self.placed_apart:
            if start <= offset < end:
                return page
        return super().page_at(offset)

PAGE_SEPARATOR = "\n\n"
UNIT_SEPARATOR = "\n\n"
DAMAGED = "PDF is beschadigd of onvolledig: {}"
NO_TEXT = "PDF bevat geen tekst (gescand?)"
NO_PAGES = "PDF heeft geen pagina's"
ENCRYPTED = "PDF is versleuteld"
# The layout stages count words before furniture is set apart: they stop only a
# document with clearly too much text; the text they make is checked exactly.
WORDS_ALLOWANCE = 1.5


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
            raise ReadError(doc_id, f"{ENCRYPTED}: {short_reason(exc)}") from exc
        if not ok:
            raise ReadError(doc_id, ENCRYPTED)
    return reader


def _judge(reader, doc_id: str, limits: ReadLimits) -> int:
    """The whole file within the limits before a page is read: its page count (returned), what its streams
    unpack to."""
    from index.pdf.unpack import count_pages, stream_sizes

    pages = count_pages(reader, limits.max_pages)
    check_pages(doc_id, pages, limits)
    others, largest_image = stream_sizes(reader, limits.max_unpacked_bytes)
    if others > limits.max_unpacked_bytes:
        raise ReadError(doc_id, unpacked_reason(limits))
    if largest_image > limits.max_unpacked_bytes:
        raise ReadError(doc_id, unpacked_reason(limits, "een afbeelding pakt uit tot"))
    return pages


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


def _plain(reader, doc_id: str, limits: ReadLimits = DEFAULT_LIMITS) -> tuple[str, list[int]]:
    """pypdf's text per page, joined by a blank line (the fallback)."""
    try:
        pages = list(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise ReadError(doc_id, DAMAGED.format(short_reason(exc))) from exc
    if not pages:
        raise ReadError(doc_id, DAMAGED.format("geen pagina's gevonden"))
    parts: list[str] = []
    page_starts: list[int] = []
    offset = 0
    budget = TextBudget(doc_id, limits)
    for number, page in enumerate(pages, start=1):
        if parts:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        page_starts.append(offset)
        text = _page_text(page, number, doc_id)
        parts.append(text)
        offset += len(text)
        budget.add(len(text) + (len(PAGE_SEPARATOR) if number > 1 else 0))
    return "".join(parts), page_starts


def _unit_text(block) -> list[tuple[str, int]]:
    """A block as the text pieces of its unit (with pages), markup in front.

    Footnotes attached to the block follow it as inline definitions
    "[3: text]", which the paragraph reconstruction cuts out as footnote
    units of their own.
    """
    pieces = [(" ".join(t.split("\n")), p) for t, p in block.pieces]
    prefix = ""
    if block.kind == "heading":
        prefix = "#" * block.level + " "
    elif block.marker:
        prefix = block.marker
    if prefix and pieces:
        pieces[0] = (prefix + pieces[0][0], pieces[0][1])
    for number, body, page in block.notes:
        body = body.replace("[", "(").replace("]", ")")
        note = f"[{number}: {body}]" if number else body
        pieces.append(((" " if pieces else "") + note, page))
    return pieces


def layout_text(layout) -> tuple[str, list[int], tuple[tuple[int, int, int], ...]]:
    """The blocks as document text, the offset where each page starts, and the spans placed apart
    from their page (`PdfDocument.placed_apart`)."""
    parts: list[str] = []
    first_at: dict[int, int] = {}
    placed_apart: list[tuple[int, int, int]] = []
    offset = 0
    for block in layout.blocks:
        pieces = [(t, p) for t, p in _unit_text(block) if t]
        if not "".join(t for t, _ in pieces).strip():
            continue
        if parts:
            parts.append(UNIT_SEPARATOR)
            offset += len(UNIT_SEPARATOR)
        for text, page in pieces:
            first_at.setdefault(page, offset)
            if page < max(first_at):
                placed_apart.append((offset, offset + len(text), page))
            parts.append(text)
            offset += len(text)
    text = "".join(parts)
    page_starts: list[int] = []
    for page in range(layout.page_count, 0, -1):
        start = first_at.get(page, page_starts[-1] if page_starts else len(text))
        if page_starts:
            start = min(start, page_starts[-1])
        page_starts.append(start)
    page_starts.reverse()
    if page_starts:
        page_starts[0] = 0
    return text, page_starts, tuple(placed_apart)


def read(path: Path, doc_id: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Read a PDF: clean units with page offsets, metadata or guessed title."""
    data = path.read_bytes()
    reader = _open(data, doc_id)
    pages = _judge(reader, doc_id, limits)
    furniture: tuple = ()
    ocr_pages: tuple[int, ...] = ()
    placed_apart: tuple = ()
    try:
        from index.pdf.layout import read_layout

        layout = read_layout(data, doc_id, TextBudget(doc_id, limits, WORDS_ALLOWANCE), PdfBudget(doc_id, limits))
        text, page_starts, placed_apart = layout_text(layout)
        furniture = tuple((page, tuple(lines)) for page, lines in sorted(layout.furniture.items()))
        ocr_pages = tuple(sorted(layout.ocr_pages))
        if not text.strip() and layout.skipped:
            reasons = sorted(set(layout.skipped.values()))
            raise ReadError(doc_id, f"{NO_TEXT}: {'; '.join(reasons)}")
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - fall back to pypdf's plain text
        log.warning("%s: opmaak niet leesbaar (%s), platte tekst gebruikt", doc_id, short_reason(exc))
        text, page_starts = _plain(reader, doc_id, limits)
    if not text.strip():
        # A page tree without pages may still be read by pdfminer's fallback: judged by the text.
        raise ReadError(doc_id, NO_TEXT if pages else NO_PAGES)
    check_text(doc_id, text, limits)  # before the title: guessing it reads the whole text

    try:
        meta_title = reader.metadata.title if reader.metadata else None
    except Exception:  # noqa: BLE001 - broken metadata is not worth failing
        meta_title = None
    title = meaningful_title(meta_title) or guess_title(text, path)
    return PdfDocument(
        doc_id=doc_id, title=title, text=text, kind="pdf", page_starts=tuple(page_starts),
        furniture=furniture, ocr_pages=ocr_pages, placed_apart=placed_apart,
    )

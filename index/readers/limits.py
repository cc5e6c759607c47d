"""How much one document may cost to read: the limits, and the Dutch reasons for skipping.

Every limit is a setting (index.settings) and every reason names it by its
variable, so whoever reads the skipped list knows what to raise:

* `max_bytes`          -- the file on disk (VRAAGBAAK_MAX_BYTES)
* `max_unpacked_bytes` -- what an archive unpacks to, judged from the sizes it
                          declares before anything is unpacked
                          (VRAAGBAAK_MAX_UNPACKED_BYTES)
* `max_elements`       -- the markup elements a reader would build a tree of:
                          counted in the raw XML or HTML before parsing; an
                          HTML element counts HTML_ELEMENT_WEIGHT times, as
                          BeautifulSoup keeps that much more per element than
                          lxml does for python-docx (VRAAGBAAK_MAX_ELEMENTS)
* `max_text_chars`     -- the text a reader produces (VRAAGBAAK_MAX_TEXT_CHARS),
                          in at most a tenth as many lines
* `max_passages`       -- the passages the chunker makes of it
                          (VRAAGBAAK_MAX_PASSAGES)
* `max_pages`          -- the pages of a PDF, counted in its page tree before
                          any page is read (VRAAGBAAK_MAX_PAGES)
* `max_ocr_pages`      -- the scanned pages of a PDF read by OCR, each taking
                          seconds; later ones are skipped (VRAAGBAAK_MAX_OCR_PAGES)

A PDF is not an archive that declares what it unpacks to: its streams are
measured by inflating them once, output thrown away, before pdfminer reads
the file (`max_unpacked_bytes`), and what its pages draw is counted while
pdfminer lays them out (`PdfBudget`).

Readers check as early as they can (before parsing, while extracting), so a
hostile file costs little before it is refused. `TextBudget` is the running
check for readers that produce text piece by piece, `PdfBudget` that for the
pages of a PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.errors import ReadError
from index.settings import (
    DEFAULT_MAX_BYTES, DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_OCR_PAGES, DEFAULT_MAX_PAGES, DEFAULT_MAX_PASSAGES,
    DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_UNPACKED_BYTES, env_name,
)

_MB = 1024 * 1024
# Measured: python-docx holds about 250 bytes per XML element, BeautifulSoup
# about 1.5 KB per HTML element.
HTML_ELEMENT_WEIGHT = 8
# Measured: reading a PDF page (pdfminer's layout, pdfplumber's objects, the
# layout stages) holds about 2.4 KB per glyph and 3 to 5 KB per drawn path or
# rectangle, and parsing a content stream of numbers some 17 bytes per byte
# of it. One page may use a thirty-second of the unpacked-bytes and elements
# limits (2 MiB of content and 78,125 elements by default: under 400 MB); a
# whole document the unpacked-bytes limit in content, counted each time a
# stream is drawn, and four times the elements limit (a glyph is an element:
# 1,500 pages of running text have about 5 million) -- which bounds the time
# its pages take.
PDF_PAGE_SHARE = 32
PDF_DOCUMENT_ELEMENTS = 4
# A text may have a line (not blank) per this many characters of the text limit (check_text).
MIN_LINE_CHARS = 10
_FILLED_LINE = re.compile(r"^[ \t\r\f\v]*\S", re.M)
# A document's OCR may take this many seconds per page it may read (max_ocr_pages): a dense A4
# page takes about 13 s on two cores, so only a document of slow pages runs into it.
OCR_SECONDS_PER_PAGE = 20
# A page rendered for OCR is an RGB bitmap: three bytes per pixel.
RENDER_BYTES_PER_PIXEL = 3


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_elements: int = DEFAULT_MAX_ELEMENTS
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    max_passages: int = DEFAULT_MAX_PASSAGES
    max_pages: int = DEFAULT_MAX_PAGES
    max_ocr_pages: int = DEFAULT_MAX_OCR_PAGES

    @classmethod
    def from_settings(cls, settings) -> ReadLimits:
        return cls(max_bytes=settings.max_bytes, max_unpacked_bytes=settings.max_unpacked_bytes,
                   max_elements=settings.max_elements, max_text_chars=settings.max_text_chars,
                   max_passages=settings.max_passages, max_pages=settings.max_pages,
                   max_ocr_pages=settings.max_ocr_pages)


DEFAULT_LIMITS = ReadLimits()


def mb(n: int) -> str:
    """Megabytes the Dutch way: "50", "12,3", and enough digits for tiny limits."""
    value = n / _MB
    text = f"{value:.1f}" if value >= 0.1 else (f"{value:.6f}".rstrip("0") or "0")
    return text.removesuffix(".0").rstrip(".").replace(".", ",")


def count(n: int) -> str:
    """A whole number the Dutch way: 5.000.000."""
    return f"{n:,}".replace(",", ".")


def too_large(size: int, limit: int) -> str:
    return f"bestand is te groot ({mb(size)} MB, maximaal {mb(limit)} MB; {env_name('max_bytes')})"


def check_unpacked(doc_id: str, declared: int, limits: ReadLimits) -> None:
    if declared > limits.max_unpacked_bytes:
        raise ReadError(doc_id, f"pakt uit tot {mb(declared)} MB, meer dan {mb(limits.max_unpacked_bytes)} MB "
                                f"({env_name('max_unpacked_bytes')})")


def unpacked_reason(limits: ReadLimits, what: str = "pakt uit tot") -> str:
    """The reason for a file that unpacks to more than the limit; measuring stopped there, so no total."""
    return f"{what} meer dan {mb(limits.max_unpacked_bytes)} MB ({env_name('max_unpacked_bytes')})"


def check_pages(doc_id: str, pages: int, limits: ReadLimits) -> None:
    """`pages` counted in a page tree, counting no further than one above the limit."""
    if pages > limits.max_pages:
        raise ReadError(doc_id, f"te veel pagina's: meer dan {count(limits.max_pages)} ({env_name('max_pages')})")


def count_elements(blocks: Iterable[bytes], stop_above: int | None = None) -> int:
    """Start tags in raw XML or HTML, block by block: each "<" that does not open a closing tag "</".

    Declarations, comments and a stray "<" count too: the count is never
    lower than the elements a parser makes. Stops once it is above `stop_above`.
    """
    total, last = 0, b""
    for block in blocks:
        total += block.count(b"<") - block.count(b"</") - (last == b"<" and block[:1] == b"/")
        last = block[-1:]
        if stop_above is not None and total > stop_above:
            break
    return total


def check_elements(doc_id: str, elements: int, limits: ReadLimits, *, weight: int = 1) -> None:
    """`elements` counted in the raw markup, each worth `weight` of the limit."""
    if elements * weight > limits.max_elements:
        allowed = limits.max_elements // weight  # the count may have stopped early: not shown
        raise ReadError(doc_id, f"te veel opmaakelementen: meer dan {count(allowed)} "
                                f"({env_name('max_elements')}{'' if weight == 1 else f' / {weight} voor HTML'})")


def text_reason(limits: ReadLimits, chars: int | None = None) -> str:
    found = f"{count(chars)} tekens, " if chars is not None else ""
    return (f"te veel tekst: {found}meer dan {count(limits.max_text_chars)} tekens "
            f"({env_name('max_text_chars')})")


def check_text(doc_id: str, text: str, limits: ReadLimits) -> None:
    """The text within `max_text_chars`, in at most a MIN_LINE_CHARS-th as many lines.

    The paragraph stages keep some 650 bytes per line that holds something, whatever its length:
    the five million characters allowed, as two and a half million lines of
    one letter, took 1.6 GB. Real text has lines of tens of characters.
    """
    if len(text) > limits.max_text_chars:
        raise ReadError(doc_id, text_reason(limits, len(text)))
    most = limits.max_text_chars // MIN_LINE_CHARS
    if text.count("\n") < most:
        return
    lines = sum(1 for _ in _FILLED_LINE.finditer(text))  # blank lines cost the stages nothing
    if lines > most:
        raise ReadError(doc_id, f"te veel regels: {count(lines)}, meer dan {count(most)} "
                                f"({env_name('max_text_chars')} / {MIN_LINE_CHARS})")


def check_passages(doc_id: str, passages: int, limits: ReadLimits) -> None:
    if passages > limits.max_passages:
        raise ReadError(doc_id, f"te veel passages: {count(passages)}, meer dan {count(limits.max_passages)} "
                                f"({env_name('max_passages')})")


class TextBudget:
    """Counts the characters a reader produced so far; ReadError as soon as they exceed the limit.

    The reason does not give a total: reading stops before the end. A reader
    whose pieces are not yet the final text (PDF words, of which furniture is
    still left out) gives an `allowance` above 1, so that only a document
    clearly over the limit stops early; the final text is checked exactly.
    """

    def __init__(self, doc_id: str, limits: ReadLimits, allowance: float = 1.0):
        self.doc_id = doc_id
        self.limit = int(limits.max_text_chars * allowance)
        self.limits = limits
        self.used = 0

    def add(self, chars: int) -> None:
        self.used += chars
        if self.used > self.limit:
            raise ReadError(self.doc_id, text_reason(self.limits))


class PdfBudget:
    """What the pages of one PDF may cost while pdfminer lays them out; ReadError as soon as one is over.

    Counted per page and for the document: content (content streams and the
    forms they draw, decoded, each time they are drawn) and elements (glyphs,
    paths, images and forms drawn). A page may have a thirty-second of the
    unpacked-bytes and elements limits (what one page costs in memory), the
    document the unpacked-bytes limit in content and four times the elements
    limit (what its pages cost in time). `render_reason` says whether a page
    can be rendered for OCR within the unpacked-bytes limit.
    """

    def __init__(self, doc_id: str, limits: ReadLimits):
        self.doc_id = doc_id
        self.limits = limits
        self.page_content_limit = limits.max_unpacked_bytes // PDF_PAGE_SHARE
        self.page_elements_limit = limits.max_elements // PDF_PAGE_SHARE
        self.elements_limit = limits.max_elements * PDF_DOCUMENT_ELEMENTS
        self.page = 0
        self.page_content = self.page_elements = self.content_used = self.elements = 0

    def start_page(self, number: int) -> None:
        self.page = number
        self.page_content = self.page_elements = 0

    def content_room(self) -> int:
        """The bytes of content that may still be decoded on this page (a stream may be measured up to it)."""
        return max(0, min(self.page_content_limit - self.page_content,
                          self.limits.max_unpacked_bytes - self.content_used))

    def add_content(self, size: int) -> None:
        self.page_content += size
        self.content_used += size
        if self.page_content > self.page_content_limit:
            raise ReadError(self.doc_id, f"pagina {self.page} tekent meer dan {mb(self.page_content_limit)} MB aan "
                                         f"uitgepakte inhoud ({env_name('max_unpacked_bytes')} / {PDF_PAGE_SHARE} "
                                         f"per pagina)")
        if self.content_used > self.limits.max_unpacked_bytes:
            raise ReadError(self.doc_id, f"de pagina's tekenen samen meer dan {mb(self.limits.max_unpacked_bytes)} MB "
                                         f"aan uitgepakte inhoud ({env_name('max_unpacked_bytes')})")

    def add_element(self) -> None:
        self.page_elements += 1
        self.elements += 1
        if self.page_elements > self.page_elements_limit:
            raise ReadError(self.doc_id, f"te veel opmaakelementen op pagina {self.page}: meer dan "
                                         f"{count(self.page_elements_limit)} ({env_name('max_elements')} / "
                                         f"{PDF_PAGE_SHARE} per PDF-pagina)")
        if self.elements > self.elements_limit:
            raise ReadError(self.doc_id, f"te veel opmaakelementen: meer dan {count(self.elements_limit)} "
                                         f"({env_name('max_elements')} × {PDF_DOCUMENT_ELEMENTS} voor een PDF)")

    def ocr_reason(self, scanned: int) -> str | None:
        """Why the `scanned`-th scanned page of this PDF is not read by OCR (a Dutch reason), or None."""
        if scanned <= self.limits.max_ocr_pages:
            return None
        if self.limits.max_ocr_pages == 0:
            return f"tekstherkenning staat uit ({env_name('max_ocr_pages')}=0)"
        return (f"meer dan {count(self.limits.max_ocr_pages)} gescande pagina's; de rest wordt niet met "
                f"tekstherkenning gelezen ({env_name('max_ocr_pages')})")

    def ocr_time_reason(self, seconds: float) -> str | None:
        """Why no more pages are read by OCR after `seconds` of it on this PDF (a Dutch reason), or None."""
        budget = self.limits.max_ocr_pages * OCR_SECONDS_PER_PAGE
        if seconds <= budget:
            return None
        return (f"tekstherkenning gestopt na {int(budget // 60)} minuten voor dit document ({OCR_SECONDS_PER_PAGE} s "
                f"per pagina van {env_name('max_ocr_pages')})")

    def render_reason(self, width_px: int, height_px: int) -> str | None:
        """Why a page of this many pixels is not rendered for OCR (a Dutch reason), or None when it may be."""
        size = width_px * height_px * RENDER_BYTES_PER_PIXEL
        if size <= self.limits.max_unpacked_bytes:
            return None
        return (f"pagina is te groot voor tekstherkenning: {count(width_px)} × {count(height_px)} beeldpunten "
                f"({mb(size)} MB, meer dan {mb(self.limits.max_unpacked_bytes)} MB; "
                f"{env_name('max_unpacked_bytes')})")

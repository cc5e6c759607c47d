"""The records that flow from the readers through the chunker into an index version."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

# Between the headings of a passage's heading path: "03. Artikel › Tussenkop".
HEADING_SEPARATOR = " › "


@dataclass(frozen=True)
class Document:
    """A source document as text, with what is needed to cite into it.

    `text` is what character spans refer to. For .txt and .md files it is the
    decoded file itself, so a span is also a position in the file; for PDF,
    DOCX and HTML it is the text the reader extracted.
    """

    doc_id: str  # file name relative to the corpus folder, POSIX separators
    title: str
    text: str
    kind: str  # "txt", "md", "pdf", "docx" or "html"
    # PDF only: the offset in `text` at which each page starts (page 1 first).
    page_starts: tuple[int, ...] | None = None

    def line_at(self, offset: int) -> int:
        """1-based line number of a character offset in `text`."""
        return self.text.count("\n", 0, offset) + 1

    def page_at(self, offset: int) -> int | None:
        """1-based page number of a character offset, for paged documents."""
        if not self.page_starts:
            return None
        return bisect_right(self.page_starts, offset)


@dataclass(frozen=True)
class StoredDocument:
    """A document as an index version keeps it: what its passages are cited from."""

    doc_id: str
    title: str
    kind: str
    sha256: str
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A reconstructed paragraph: wrapped lines joined, hyphenation undone."""

    text: str
    start: int  # span in Document.text, end exclusive
    end: int
    heading: str | None = None  # the heading this paragraph sits under
    kind: str = "paragraph"  # "paragraph", "bullet", "footnote" or "heading"


@dataclass(frozen=True)
class Chunk:
    """One unit of retrieval: a paragraph, or a sentence-aligned piece of one."""

    doc_id: str
    title: str
    heading: str | None
    paragraph: int  # 1-based paragraph number within the document
    text: str
    start: int  # span in Document.text, end exclusive
    end: int
    line_start: int  # 1-based, inclusive
    line_end: int
    page: int | None = None  # first page, for paged documents
    page_end: int | None = None  # last page: a paragraph may run over a page break
    # "paragraph", "bullet", "footnote" or "reference". A footnote is a unit of
    # its own: it is searched like any passage, but quoted with the body
    # sentence that carries its marker (`context`), never as a sentence of the
    # body. A "reference" (only links, e-mail addresses, "Zie ...") is shown
    # with its document but never returned as a passage.
    kind: str = "paragraph"
    context: str | None = None  # footnotes: the body sentence that holds the marker, as in its chunk
    ocr: bool = False  # read by OCR from a scanned page: the text may hold recognition errors
    # Its row in the index version that holds it (None before it is stored). Not part of equality:
    # the same passage keeps comparing equal when another version gives it another row.
    id: int | None = field(default=None, compare=False)
    # The collection it was found in, set when collections are searched (index.backends.combined).
    collection: str | None = field(default=None, compare=False)

    @property
    def document_key(self) -> tuple[str | None, str]:
        """Its document among every collection searched: the same file name may be in two."""
        return self.collection, self.doc_id

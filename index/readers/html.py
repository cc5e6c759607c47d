"""HTML (.html, .htm) via BeautifulSoup + lxml, rendered as light Markdown.

Only visible text content is kept; the result is plain text, never markup.
Escaped text such as ``&lt;script&gt;`` becomes the literal characters
``<script>`` (that is what the page showed), so whoever displays chunks must
still escape them. Page chrome and non-content elements (script, style, nav,
header, footer, noscript, template, ..., the same by their ARIA role, and a
short cookie notice or "skip to content" link) and ``hidden`` elements are
dropped.
Block elements become paragraphs separated by blank lines; headings become
``#`` lines and list items ``- item`` so the paragraph reconstruction sees
the structure; ``<br>`` is a single newline; ``<pre>`` keeps its lines. A
table of data becomes one paragraph per row, each cell named by its column
("Wijk: Overvecht; Aandeel: 21%"), as PDF and Word tables are read.

The bytes are decoded before parsing (`_markup`): as UTF-8 where they are,
else as the page declares where that decodes, else as cp1252 with a warning.
A page saved in cp1252 by a Windows tool often still says ``charset=utf-8``,
and parsing it as declared turned every accent into U+FFFD.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from index.errors import ReadError
from index.readers.common import clean_title, guess_title, is_data_table, short_reason, table_row_texts
from index.readers.limits import (
    DEFAULT_LIMITS, HTML_ELEMENT_WEIGHT, ReadLimits, check_elements, check_text, count_elements,
)
from index.readers.text import BINARY_REASON, WIDE_BOMS, decode, looks_binary
from index.types import Document

log = logging.getLogger(__name__)

NOT_HTML = "HTML-bestand kan niet worden gelezen: {}"
NO_TEXT = "HTML-bestand bevat geen tekst"

_DROP = {
    "script", "style", "nav", "header", "footer", "noscript", "template",
    "head", "svg", "math", "iframe", "object", "embed", "canvas", "select",
    "button", "audio", "video",
}
_BLOCKS = {
    "p", "div", "li", "td", "th", "blockquote", "section", "article", "main",
    "aside", "ul", "ol", "dl", "dt", "dd", "table", "tr", "thead", "tbody",
    "tfoot", "caption", "figure", "figcaption", "address", "form", "fieldset",
    "legend", "details", "summary", "hr", "body", "html", "center", "dialog",
}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")
# Shown by no browser (a soft hyphen only where it breaks a line): "huur&shy;prijs" is one word.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


class _Renderer:
    """Walks the tree collecting paragraphs; inline text gathers in a buffer."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.buffer: list[str | None] = []  # None marks a <br>
        self.prefix = ""  # "- " while the first paragraph of an <li> is pending

    def flush(self) -> None:
        lines, line = [], []
        for piece in self.buffer + [None]:
            if piece is None:
                lines.append(" ".join("".join(line).split()))
                line = []
            else:
                line.append(piece)
        self.buffer = []
        text = "\n".join(lines).strip()
        if text:
            self.paragraphs.append(self.prefix + text)
            self.prefix = ""

    def emit(self, text: str, *, heading: bool = False) -> None:
        """Add a finished paragraph; a heading inside an <li> gets no "- "."""
        self.flush()
        if text.strip():
            self.paragraphs.append(text if heading else self.prefix + text)
            self.prefix = ""

    def walk(self, node) -> None:
        from bs4 import NavigableString, Tag

        for child in node.children:
            if isinstance(child, Tag):
                self.element(child)
            elif type(child) is NavigableString:  # not comments, doctypes, CDATA
                self.buffer.append(str(child).translate(_INVISIBLE))

    def element(self, tag) -> None:
        name = (tag.name or "").lower()
        if name in _HEADINGS:
            for br in tag.find_all("br"):
                br.replace_with(" ")
            text = " ".join(tag.get_text().translate(_INVISIBLE).split())  # "Reken<b>tool</b>" stays one word
            self.emit("#" * _HEADINGS[name] + " " + text if text else "", heading=True)
        elif name == "pre":
            lines = tag.get_text().translate(_INVISIBLE).strip("\n").rstrip()
            self.emit(_BLANK_LINES.sub("\n", lines))
        elif name == "br":
            self.buffer.append(None)
        elif name == "table" and self.data_table(tag):
            pass
        elif name in _BLOCKS:
            self.flush()
            if name == "li":
                self.prefix = "- "
            self.walk(tag)
            self.flush()
            self.prefix = ""
        else:
            self.walk(tag)


    def data_table(self, table) -> bool:
        """A table of data as one paragraph per row ("kolom: waarde; ...", as PDF and Word tables read);
        False for a layout table (a long cell, a table inside), which is walked as blocks."""
        if table.find("table") is not None:
            return False
        rows = [[" ".join(cell.get_text(" ").translate(_INVISIBLE).split())
                 for cell in tr.find_all(("td", "th"), recursive=False)]
                for tr in table.find_all("tr") if tr.find_parent("table") is table]
        rows = [row for row in rows if any(row)]
        if not is_data_table(rows):
            return False
        self.flush()
        caption = table.find("caption")
        if caption is not None:
            self.emit(" ".join(caption.get_text(" ").translate(_INVISIBLE).split()))
        for text in table_row_texts(rows):
            self.emit(text)
        return True


def _hidden(tag) -> bool:
    attrs = tag.attrs or {}
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or bool(_DISPLAY_NONE.search(str(attrs.get("style", ""))))
        or str(attrs.get("role", "")).lower() in _CHROME_ROLES
        or _is_banner(tag, attrs)
    )


# The ARIA roles of what _DROP drops by its tag: <nav>, <header>, <footer>, a search form.
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search"}
# A cookie or consent notice and a "skip to content" link are page chrome too; named so in
# their class or id. Only a short element counts: a page *about* cookies keeps its text.
_BANNER_NAME = re.compile(r"cookie|consent|skip-?link|skip-?to", re.IGNORECASE)
MAX_BANNER_CHARS = 600


# A news page's chrome around its article, named so in class or id: breadcrumbs, share buttons,
# tags, and the lists of other articles ("Meer over dit onderwerp", "Meest gelezen"). They may
# have a heading of their own, but never the page's <h1>, and are short.
_CHROME_NAME = re.compile(r"\b(?:breadcrumbs?|share|sharing|social|tags|related|most-?read|meest-?gelezen|popular)\b",
                          re.IGNORECASE)
MAX_CHROME_CHARS = 1500


def _is_banner(tag, attrs) -> bool:
    names = " ".join([str(attrs.get("id", "")), *(attrs.get("class") or [])])
    if not names.strip():
        return False
    if _CHROME_NAME.search(names):
        return tag.find("h1") is None and len(tag.get_text()) <= MAX_CHROME_CHARS
    if not _BANNER_NAME.search(names):
        return False
    return tag.find(("h1", "h2")) is None and len(tag.get_text()) <= MAX_BANNER_CHARS


def _drop_unread(soup) -> None:
    """Remove what a reader never sees (_DROP, hidden elements), each subtree once, in time linear in the page.

    Walked with a stack of its own: a page may nest elements tens of thousands
    deep. (Asking each tag of `find_all` whether it was already removed went
    through bs4's attribute lookup, which searches the tag's whole subtree:
    20,000 nested <b> took 155 s.)
    """
    from bs4 import Tag

    stack = [soup]
    while stack:
        for child in list(stack.pop().children):
            if not isinstance(child, Tag):
                continue
            if child.name in _DROP or _hidden(child):
                child.decompose()
            else:
                stack.append(child)


def _title(soup) -> str:
    """The <title> (outside inline SVG), else the first <h1>."""
    for tag in soup.find_all("title"):
        if tag.find_parent("svg") is None and clean_title(tag.get_text(" ")):
            return clean_title(tag.get_text(" "))
    h1 = soup.find("h1")
    return clean_title(h1.get_text()) if h1 else ""


# Declared single-byte encodings that browsers read as windows-1252 (the WHATWG
# Encoding Standard): a page saying iso-8859-1 may still use its € and quotes.
_READ_AS_CP1252 = {"ascii", "iso8859-1"}
# Declarations a page cannot be in when its bytes get this far: the wide encodings
# come with a byte-order mark, and no browser reads UTF-7 (its text turns into markup).
_NOT_DECLARABLE = ("utf-8", "utf-16", "utf-32", "utf-7")
# Where a declaration is looked for: the start of the page, as browsers prescan it.
# bs4's pattern rescans this part for every "<meta" without ">": quadratic in its length.
PRESCAN_BYTES = 4096
_C1 = re.compile(r"[\x80-\x9f]")


def _markup(data: bytes, doc_id: str) -> str:
    """The page as text: UTF-8 where its bytes are UTF-8, else as it declares, else as plain text is.

    A byte-order mark decides first. Bytes that are valid UTF-8 are read as
    UTF-8 whatever the page says (a wrong "windows-1252" on a UTF-8 page is
    common; text in another encoding is hardly ever valid UTF-8). Otherwise a
    declared encoding (a <meta> or XML declaration in the first PRESCAN_BYTES)
    is used if every byte decodes in it without control characters; else
    `text.decode`: cp1252, with a warning (a Windows tool's page that says
    "utf-8"). A NUL past the binary check is dropped, as a browser drops it.
    """
    from bs4.dammit import EncodingDetector

    if data.startswith(WIDE_BOMS):
        return decode(data, doc_id)
    data = data.replace(b"\x00", b"")
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        declared = EncodingDetector.find_declared_encoding(body[:PRESCAN_BYTES], is_html=True)
        try:
            name = codecs.lookup(declared).name if declared else "utf-8"
        except LookupError:
            name = "utf-8"
        if not name.startswith(_NOT_DECLARABLE):
            try:
                text = body.decode("cp1252" if name in _READ_AS_CP1252 else name)
            except (UnicodeError, LookupError, ValueError):
                text = None
            if text is not None and not _C1.search(text):
                return text
            log.warning("%s: de tekens passen niet bij de opgegeven tekenset %s", doc_id, declared)
        return decode(data, doc_id)
    if looks_binary(text):  # as `decode` would judge it, without decoding the page a second time
        raise ReadError(doc_id, BINARY_REASON)
    return text


def read(path: Path, doc_id: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Read an HTML file, decoded by `_markup`."""
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    if b"\x00" in data[:8192] and not data.startswith(WIDE_BOMS):
        raise ReadError(doc_id, BINARY_REASON)
    # BeautifulSoup keeps every element in memory: counted before it parses.
    check_elements(doc_id, count_elements([data]), limits, weight=HTML_ELEMENT_WEIGHT)
    markup = _markup(data, doc_id)
    try:
        soup = BeautifulSoup(markup, "lxml")
        title = _title(soup)  # before dropping <head> and <header>
        _drop_unread(soup)
        renderer = _Renderer()
        renderer.walk(soup)
        renderer.flush()
    except RecursionError:
        raise  # read_document names it: "te diep genest"
    except Exception as exc:  # noqa: BLE001
        raise ReadError(doc_id, NOT_HTML.format(short_reason(exc))) from exc
    text = "\n\n".join(renderer.paragraphs)
    if not text.strip():
        raise ReadError(doc_id, NO_TEXT)
    check_text(doc_id, text, limits)
    if looks_binary(text):
        raise ReadError(doc_id, BINARY_REASON)
    return Document(doc_id=doc_id, title=title or guess_title(text, path), text=text, kind="html")

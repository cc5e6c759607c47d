"""Word (.docx) via python-docx, rendered as light Markdown.

The paragraph reconstruction works on text, so structure is encoded the way
it already understands: headings become ``#`` lines (Title ``#``, Heading N /
Kop N ``#`` * N), list paragraphs become ``- item``, and every paragraph is
separated by a blank line. Body order is kept, tables included. A table of
data (two rows and two columns or more, short cells) becomes one paragraph
per row, each cell named by its column header ("Post: Hengelo; Voertuigen:
4"), as the PDF reader writes a ruled table; a table used for layout (long
cells) gives its cells' paragraphs in row order (merged cells once), nested
tables inline. A line break inside a Word paragraph stays a single ``\\n``.

A paragraph reads as Word shows it with its tracked changes accepted:
inserted text counts, deleted text does not. A footnote or endnote is
numbered in order of its reference, marked "[footnoteRef:1]" where it is
referred to, and its text follows the paragraph as an inline definition
"[1: ...]": the paragraph reconstruction removes the marker and makes the
note a footnote of its own, linked to the sentence that carried it.

Before python-docx opens the file, the sizes the archive declares for its
members are added up: zipfile never inflates a member past its declared
size, so that sum bounds the work, and an archive that would unpack to more
than the limit (a decompression bomb) is skipped unopened. Then the XML
members are inflated a block at a time and their elements counted: python-docx
holds every element in memory, so a dense document within the size limit is
refused before it is parsed. The text is counted while it is collected. An OLE2 file is an old Word document only
when it holds a "WordDocument" stream; other OLE2 files (Excel, Outlook)
are simply not Word files.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from index.errors import ReadError
from index.readers.common import (MAX_DATA_CELL_CHARS, clean_title, guess_title, is_data_table, meaningful_title,
                                  short_reason, subject_title, table_row_texts)
from index.readers.limits import (
    DEFAULT_LIMITS, ReadLimits, TextBudget, check_elements, check_text, check_unpacked, count_elements,
)
from index.types import Document

NOT_DOCX = "geen geldig Word-bestand (.docx): {}"
OLD_DOC = "oud Word-formaat (.doc) wordt niet ondersteund; sla het op als .docx"
NO_TEXT = "Word-bestand bevat geen tekst"

_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "titel"}
_LIST_STYLE = re.compile(r"^(?:list|lijst|opsomming)", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")
_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The directory entry of a Word 97-2003 document's main stream: its UTF-16 name and terminator.
_WORD_STREAM = "WordDocument".encode("utf-16-le") + b"\x00\x00"
_BLOCK = 1 << 20
# A table whose cells all hold at most this many characters is data, read row by row;
# a longer cell is running text laid out in a table, read paragraph by paragraph.
# Inside a paragraph: what is not read (tracked deletions, properties), and what reads as what.
_SKIPPED = {f"{_W_NS}{tag}" for tag in ("del", "moveFrom", "pPr", "rPr", "delText", "instrText")}
# A manual line break (Shift+Enter) ends a line, not the paragraph: read as a space, so that the
# paragraph stays one ("Contact: ... 030-760 60 55.<br>Bereikbaar op werkdagen ..." was split in two).
_CHARACTERS = {f"{_W_NS}tab": "\t", f"{_W_NS}br": " ", f"{_W_NS}cr": " ", f"{_W_NS}noBreakHyphen": "-"}
_NOTE_REFERENCES = {f"{_W_NS}footnoteReference": "footnotes", f"{_W_NS}endnoteReference": "endnotes"}


def _is_old_word(path: Path) -> bool:
    """An OLE2 compound file with a WordDocument stream (a real .doc); read in blocks."""
    with path.open("rb") as handle:
        if handle.read(len(_OLE2_MAGIC)) != _OLE2_MAGIC:
            return False
        tail = b""
        for block in iter(lambda: handle.read(_BLOCK), b""):
            if _WORD_STREAM in tail + block:
                return True
            tail = block[-len(_WORD_STREAM):]
    return False


def _is_ole2(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_OLE2_MAGIC)) == _OLE2_MAGIC


def _check_archive(path: Path, doc_id: str, limits: ReadLimits) -> None:
    """ReadError unless `path` is a zip whose members declare at most max_unpacked_bytes together."""
    if _is_old_word(path):
        raise ReadError(doc_id, OLD_DOC)
    if _is_ole2(path):
        raise ReadError(doc_id, NOT_DOCX.format("een ander Office-bestand (OLE2), geen Word-document"))
    if not zipfile.is_zipfile(path):
        raise ReadError(doc_id, NOT_DOCX.format("geen zip-archief"))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            check_unpacked(doc_id, sum(info.file_size for info in members), limits)
            # What python-docx would parse into trees, counted while inflating a block at a time.
            elements = count_elements(_xml_blocks(archive, members), stop_above=limits.max_elements)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError(doc_id, NOT_DOCX.format(short_reason(exc))) from exc
    check_elements(doc_id, elements, limits)


def _xml_blocks(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]):
    for info in members:
        if info.filename.lower().endswith((".xml", ".rels")):
            with archive.open(info) as member:
                yield from iter(lambda: member.read(_BLOCK), b"")


def _style_names(paragraph, cache: dict) -> list[str]:
    """The paragraph's style name and those it is based on (custom headings).

    Looking a style up walks the whole style table, so the names are kept
    per style id (`cache`, one per document): a document of many paragraphs
    costs one lookup per style, not one per paragraph.
    """
    try:
        style_id = paragraph._p.style
    except Exception:  # noqa: BLE001 - resolved (or not) the slow way below
        style_id = ("?", id(paragraph))
    if style_id not in cache:
        cache[style_id] = _resolve_style_names(paragraph)
    return cache[style_id]


def _resolve_style_names(paragraph) -> list[str]:
    names = []
    try:
        style = paragraph.style
        while style is not None and len(names) < 5:
            names.append((style.name or "").strip())
            style = style.base_style
    except Exception:  # noqa: BLE001 - a broken style table is not fatal
        pass
    return names


def _render_paragraph(paragraph, out: "_Collected") -> tuple[str, bool]:
    """(Markdown text, is_heading) of one paragraph; text '' when empty. Its notes follow it."""
    text = _BLANK_LINES.sub("\n", _text_of(paragraph._p, out.notes)).strip()
    if not text:
        return "", False
    names = _style_names(paragraph, out.styles)
    for name in names:
        if name.lower() in _TITLE_STYLES:
            return "# " + " ".join(text.split()), True
        match = _HEADING_STYLE.match(name)
        if match:
            level = min(max(int(match.group(1)), 1), 6)
            return "#" * level + " " + " ".join(text.split()), True
    text += out.notes.definitions()
    numbered = paragraph._p.find(f"{_W_NS}pPr/{_W_NS}numPr") is not None
    if numbered or (names and _LIST_STYLE.match(names[0])):
        return "- " + text, False
    return text, False


def _text_of(element, notes: "_Notes") -> str:
    """The text of a paragraph as Word shows it with its tracked changes accepted.

    python-docx's `paragraph.text` reads only the paragraph's own runs and
    links, so text inserted with tracked changes (in ``w:ins``) and in content
    controls was lost; deleted text lies in ``w:del`` / ``w:delText`` and is
    left out. A note reference becomes its marker (`_Notes`). Elements of
    other namespaces (drawings, text boxes, formulas) are not body text, as
    before.
    """
    parts: list[str] = []

    def walk(node) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or not tag.startswith(_W_NS) or tag in _SKIPPED:
                continue
            if tag == f"{_W_NS}t":
                parts.append(child.text or "")
            elif tag in _CHARACTERS:
                parts.append(_CHARACTERS[tag])
            elif tag in _NOTE_REFERENCES:
                parts.append(notes.refer(_NOTE_REFERENCES[tag], child.get(f"{_W_NS}id")))
            else:
                if tag == f"{_W_NS}p":  # the paragraphs of a table cell: not glued together
                    parts.append("\n")
                walk(child)

    walk(element)
    return "".join(parts)


class _Notes:
    """The document's footnotes and endnotes, numbered in the order the text refers to them."""

    def __init__(self, texts: dict[tuple[str, str], str] | None = None, count: int = 0):
        self.texts = texts or {}
        self.count = count  # the number of the last note referred to
        self.pending: list[tuple[int, str]] = []

    @classmethod
    def of(cls, document) -> "_Notes":
        """The notes' texts by (part, id), read from the footnotes and endnotes parts."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from lxml import etree

        texts: dict[tuple[str, str], str] = {}
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        for kind, reltype in (("footnotes", RT.FOOTNOTES), ("endnotes", RT.ENDNOTES)):
            for rel in document.part.rels.values():
                if rel.reltype != reltype or rel.is_external:
                    continue
                root = etree.fromstring(rel.target_part.blob, parser)
                for note in root:
                    paragraphs = [_text_of(p, cls()) for p in note.iter(f"{_W_NS}p")]
                    text = " ".join(" ".join(paragraphs).split())
                    if text:
                        texts[(kind, note.get(f"{_W_NS}id"))] = text
        return cls(texts)

    def refer(self, kind: str, note_id: str | None) -> str:
        """The marker of a reference, "[footnoteRef:n]"; the note waits for its paragraph's end."""
        text = self.texts.get((kind, note_id or ""))
        if not text:
            return ""
        self.count += 1
        self.pending.append((self.count, text))
        return f"[footnoteRef:{self.count}]"

    def definitions(self) -> str:
        """The notes referred to since the last call, as inline definitions " [1: ...]"."""
        out = "".join(f" [{number}: {text.replace('[', '(').replace(']', ')')}]" for number, text in self.pending)
        self.pending = []
        return out


class _Collected:
    """What `_blocks` gathers: paragraphs, headings, the style cache and the text budget."""

    def __init__(self, budget: TextBudget, notes: _Notes | None = None):
        self.paragraphs: list[str] = []
        self.headings: list[str] = []
        self.styles: dict = {}
        self.budget = budget
        self.notes = notes or _Notes()

    def add(self, text: str) -> None:
        self.budget.add(len(text) + (2 if self.paragraphs else 0))  # and the blank line before it
        self.paragraphs.append(text)


def _blocks(container, out: _Collected) -> None:
    """Append the rendered paragraphs of a document or cell, in body order."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            _table(block, out)
        else:
            text, is_heading = _render_paragraph(block, out)
            if text:
                out.add(text)
                if is_heading:
                    out.headings.append(text.lstrip("#").strip())


def _table(table, out: _Collected) -> None:
    """A table of data row by row ("kolom: waarde; ..."); a layout table cell by cell."""
    from docx.table import _Cell

    notes = _Notes(out.notes.texts, out.notes.count)  # numbered on a copy until the reading is known
    rows = _table_rows(table, notes)
    body = [cells for cells, label in rows if not label]
    is_data = is_data_table(body) and all(len(cell) <= MAX_DATA_CELL_CHARS for cells, _ in rows for cell in cells)
    if not is_data:
        for tr in table._tbl.tr_lst:
            for tc in tr.tc_lst:
                _blocks(_Cell(tc, table), out)
        return
    out.notes.count = notes.count
    header = body[0]
    for cells, label in rows:
        if label:  # a cell across the whole table: a caption or a group's name, no column's value
            out.add(cells[0])
        elif cells is not header:
            for text in table_row_texts([header, cells]):
                out.add(text)
    if notes.pending and out.paragraphs:  # the table's notes follow its last row
        out.paragraphs[-1] += notes.definitions()


def _table_rows(table, notes: _Notes) -> list[tuple[list[str], bool]]:
    """Each row's cell texts by grid column, and whether it is one cell across the whole table.

    The XML cells are read, not Table.rows[].cells, which repeats a
    horizontally merged cell once per grid column it spans; its other
    columns stay empty here.
    """
    rows = []
    for tr in table._tbl.tr_lst:
        cells: list[str] = []
        for tc in tr.tc_lst:
            cells.append(" ".join(_text_of(tc, notes).split()))
            cells.extend([""] * (max(tc.grid_span, 1) - 1))
        rows.append(cells)
    width = max(map(len, rows), default=0)
    return [(cells, width > 1 and len(tr.tc_lst) == 1 and len(cells) == width)
            for cells, tr in zip(rows, table._tbl.tr_lst)]


def _meta_title(document) -> str | None:
    try:
        return document.core_properties.title
    except Exception:  # noqa: BLE001
        return None


def read(path: Path, doc_id: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Read a .docx; ReadError for anything that is not a readable Word file, or one over the limits."""
    import docx

    _check_archive(path, doc_id, limits)
    try:
        document = docx.Document(str(path))
        collected = _Collected(TextBudget(doc_id, limits), _Notes.of(document))
        _blocks(document, collected)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - junk zips fail in many ways
        raise ReadError(doc_id, NOT_DOCX.format(short_reason(exc))) from exc
    text = "\n\n".join(collected.paragraphs)
    if not text.strip():
        raise ReadError(doc_id, NO_TEXT)
    check_text(doc_id, text, limits)  # before the title: guessing it reads the whole text
    meta_title = _meta_title(document)
    del document  # the XML tree: no longer needed while the title is guessed from the text
    headings = collected.headings
    title = (
        meaningful_title(meta_title)
        or subject_title(text)  # a letter's "Betreft" says what it is about; its first heading, one part
        or (clean_title(headings[0]) if headings else "")
        or guess_title(text, path)
    )
    return Document(doc_id=doc_id, title=title, text=text, kind="docx")

"""Word (.docx) via python-docx, rendered as light Markdown.

The paragraph reconstruction works on text, so structure is encoded the way
it already understands: headings become ``#`` lines (Title ``#``, Heading N /
Kop N ``#`` * N), list paragraphs become ``- item``, and every paragraph is
separated by a blank line. Body order is kept, tables included: each cell's
paragraphs follow in row order (merged cells once), nested tables inline.
A line break inside a Word paragraph stays a single ``\\n``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from index.errors import ReadError
from index.readers.common import clean_title, guess_title, meaningful_title, short_reason
from index.types import Document

NOT_DOCX = "geen geldig Word-bestand (.docx): {}"
OLD_DOC = "oud Word-formaat (.doc) wordt niet ondersteund; sla het op als .docx"
NO_TEXT = "Word-bestand bevat geen tekst"

_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "titel"}
_LIST_STYLE = re.compile(r"^(?:list|lijst|opsomming)", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")
_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _style_names(paragraph) -> list[str]:
    """The paragraph's style name and those it is based on (custom headings)."""
    names = []
    try:
        style = paragraph.style
        while style is not None and len(names) < 5:
            names.append((style.name or "").strip())
            style = style.base_style
    except Exception:  # noqa: BLE001 - a broken style table is not fatal
        pass
    return names


def _render_paragraph(paragraph) -> tuple[str, bool]:
    """(Markdown text, is_heading) of one paragraph; text '' when empty."""
    text = _BLANK_LINES.sub("\n", paragraph.text or "").strip()
    if not text:
        return "", False
    names = _style_names(paragraph)
    for name in names:
        if name.lower() in _TITLE_STYLES:
            return "# " + " ".join(text.split()), True
        match = _HEADING_STYLE.match(name)
        if match:
            level = min(max(int(match.group(1)), 1), 6)
            return "#" * level + " " + " ".join(text.split()), True
    numbered = paragraph._p.find(f"{_W_NS}pPr/{_W_NS}numPr") is not None
    if numbered or (names and _LIST_STYLE.match(names[0])):
        return "- " + text, False
    return text, False


def _blocks(container, out: list[str], headings: list[str]) -> None:
    """Append the rendered paragraphs of a document or cell, in body order."""
    from docx.table import Table, _Cell

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            # Walk the XML cells instead of Table.rows[].cells, which repeats a
            # horizontally merged cell once per grid column it spans.
            for tr in block._tbl.tr_lst:
                for tc in tr.tc_lst:
                    _blocks(_Cell(tc, block), out, headings)
        else:
            text, is_heading = _render_paragraph(block)
            if text:
                out.append(text)
                if is_heading:
                    headings.append(text.lstrip("#").strip())


def read(path: Path, doc_id: str) -> Document:
    """Read a .docx; ReadError for anything that is not a readable Word file."""
    import docx

    with path.open("rb") as handle:
        if handle.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ReadError(doc_id, OLD_DOC)
    if not zipfile.is_zipfile(path):
        raise ReadError(doc_id, NOT_DOCX.format("geen zip-archief"))
    try:
        document = docx.Document(str(path))
        paragraphs: list[str] = []
        headings: list[str] = []
        _blocks(document, paragraphs, headings)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - junk zips fail in many ways
        raise ReadError(doc_id, NOT_DOCX.format(short_reason(exc))) from exc
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise ReadError(doc_id, NO_TEXT)
    try:
        meta_title = document.core_properties.title
    except Exception:  # noqa: BLE001
        meta_title = None
    title = (
        meaningful_title(meta_title)
        or (clean_title(headings[0]) if headings else "")
        or guess_title(text, path)
    )
    return Document(doc_id=doc_id, title=title, text=text, kind="docx")

"""Helpers shared by the format readers: titles, short exception summaries and table rows.

Kept apart from ``__init__`` so the format modules can import it without a
circular import through the package.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..paragraphs import guess_title as text_title
from ..paragraphs import letter_subject

MAX_TITLE_CHARS = 200

_WS = re.compile(r"\s+")
# Metadata titles that authoring tools fill in by themselves; not meaningful.
_JUNK_TITLE = re.compile(
    r"^(untitled|naamloos|document\d*|doc\d*|titel|title|microsoft word|"
    r"presentation\d*|presentatie\d*|slide \d+|blank|leeg|none|null|unknown)$",
    re.IGNORECASE,
)
_FILE_NAME_TITLE = re.compile(
    r"\.(docx?|pdf|odt|rtf|txt|md|html?|xlsx?|pptx?|indd|qxp|tex|dvi|ps)$",
    re.IGNORECASE,
)
_TOOL_PREFIX = re.compile(r"^(microsoft (word|powerpoint|excel)|word) - ", re.IGNORECASE)


def clean_title(title: str | None) -> str:
    """Collapse whitespace and cap the length; '' when nothing is left."""
    if not title:
        return ""
    title = _WS.sub(" ", title).strip().lstrip("#").strip()
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return title


def meaningful_title(title: str | None) -> str:
    """A metadata title, or '' when it is empty or tool-generated junk.

    PDF and DOCX metadata often hold "Microsoft Word - nota_v3.docx",
    "Untitled" or "Document1"; a title guessed from the text is better then.
    """
    title = clean_title(title)
    if not title:
        return ""
    title = _TOOL_PREFIX.sub("", title).strip()
    if (
        len(title) < 3
        or not any(ch.isalpha() for ch in title)
        or _JUNK_TITLE.match(title)
        or _FILE_NAME_TITLE.search(title)
    ):
        return ""
    return title


def _first_line_title(text: str) -> str:
    """The first non-empty line, when the text gives no better title."""
    for line in text.splitlines():
        line = clean_title(line)
        if line:
            return line
    return ""


SUBJECT_LINES = 200


def subject_title(text: str) -> str:
    """A letter's subject ("Betreft ...", "Onderwerp: ..."), cleaned; "" when the text states none."""
    head = text.split("\n", SUBJECT_LINES)[:SUBJECT_LINES]  # a subject stands at the top: read no further
    return clean_title(letter_subject([ln.strip() for ln in head if ln.strip()]) or "")


def guess_title(text: str, path: Path | None = None) -> str:
    """Title from the text (``index.paragraphs.guess_title``), else its first line, else the file stem.

    The file stem is the last resort, so a title is never empty.
    """
    try:
        title = clean_title(text_title(text))
    except Exception:  # noqa: BLE001 - a title is not worth failing a read
        title = ""
    if not title:
        title = _first_line_title(text)
    if not title and path is not None:
        title = clean_title(path.stem.replace("_", " "))
    return title


# What a library's exception means, in Dutch, by the exception's class (or a base class) name:
# the file's reader is told what went wrong before the library's own (English) words.
_MEANING = {
    "KeyError": "een verplicht onderdeel ontbreekt",
    "IndexError": "een verwezen onderdeel ontbreekt",
    "BadZipFile": "beschadigd zip-archief",
    "EOFError": "het bestand houdt te vroeg op",
    "PSEOF": "het bestand houdt te vroeg op",
    "XMLSyntaxError": "ongeldige XML",
    "ParserError": "onleesbare opmaak",
    "PdfReadError": "ongeldige PDF-opbouw",
    "PdfStreamError": "ongeldige PDF-opbouw",
    "PSSyntaxError": "ongeldige PDF-opbouw",
    "PDFSyntaxError": "ongeldige PDF-opbouw",
    "UnicodeError": "tekens die niet te lezen zijn",
    "FileNotDecryptedError": "versleuteld, zonder wachtwoord niet te lezen",
    "DependencyError": "een benodigd Python-pakket ontbreekt",
    "NotImplementedError": "een onderdeel dat niet ondersteund wordt",
    "PermissionError": "geen leesrechten",
    "FileNotFoundError": "bestand niet gevonden",
    "OSError": "leesfout",
    "ValueError": "ongeldige waarde in het bestand",
    "TypeError": "onverwachte opbouw",
}


def short_reason(exc: BaseException, limit: int = 160) -> str:
    """A one-line description of an exception for a Dutch ReadError reason: what it means, then its own words.

    "een verplicht onderdeel ontbreekt (KeyError: "There is no item named
    '[Content_Types].xml' in the archive")": the Dutch part says what is
    wrong, the library's words in brackets help whoever digs further.
    """
    meaning = next((_MEANING[k.__name__] for k in type(exc).__mro__ if k.__name__ in _MEANING), "onverwachte fout")
    msg = _WS.sub(" ", str(exc)).strip()
    detail = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    text = f"{meaning} ({detail})"
    return text if len(text) <= limit else text[: limit - 2] + "…)"


# A table whose cells are all this short holds data, read row by row (table_row_texts); a longer
# cell makes it a layout table, whose cells are read as paragraphs.
MAX_DATA_CELL_CHARS = 300


def is_data_table(rows: list[list[str]]) -> bool:
    """A header and at least one row, of at least two cells, none of them long: a table of data."""
    return (len(rows) >= 2 and max(map(len, rows)) >= 2
            and all(len(cell) <= MAX_DATA_CELL_CHARS for row in rows for cell in row))


def table_row_texts(rows: list[list]) -> list[str]:
    """Table rows as text, one per row below the header: "kolom: waarde; ...".

    The header names every cell of the rows below it, so a number in a table
    can be found and cited with what it means (PDF and Word tables alike).
    """
    rows = [[" ".join(str(cell or "").split()) for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    if len(rows) == 1:
        return ["; ".join(cell for cell in rows[0] if cell)]
    header = rows[0]
    out = []
    for row in rows[1:]:
        parts = []
        for k, value in enumerate(row):
            if not value:
                continue
            name = header[k] if k < len(header) else ""
            parts.append(f"{name}: {value}" if name else value)
        if parts:
            out.append("; ".join(parts))
    return out

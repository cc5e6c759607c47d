"""Plain text and Markdown (.txt, .md): the decoded file is the document text.

Spans into ``Document.text`` must also be positions in the file, so nothing
is normalised: no newline conversion, no whitespace cleanup.

Offsets and lines, precisely:

* Offsets count characters (code points) of the decoded text, not bytes.
* A leading byte order mark is not part of the text: it is an encoding
  marker, not content. For a file with a BOM, character offset ``i`` in
  ``text`` is character ``i + 1`` of the raw decoded file; line numbers are
  unaffected.
* ``\\r\\n`` is kept as is. ``Document.line_at`` counts ``\\n`` only, so
  Windows (``\\r\\n``) and Unix (``\\n``) files get the same line numbers,
  a span may end just before or after a ``\\r``, and old Mac files (``\\r``
  alone) count as a single line.

A Markdown file may open with YAML front matter (``---`` lines around
``key: value`` lines, as Jekyll, Hugo and Obsidian write): its ``title`` is
the document's title, and the block is blanked (spaces, its newlines kept)
so that it is no passage while every offset and line number stays the file's.

Text that is not valid UTF-8 is decoded as cp1252 (what Dutch Windows tools
write), falling back to latin-1 for the five bytes cp1252 leaves undefined;
the document is still indexed and a warning is logged.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from index.errors import ReadError
from index.readers.common import clean_title, guess_title
from index.readers.limits import DEFAULT_LIMITS, ReadLimits, check_text
from index.types import Document

log = logging.getLogger(__name__)

BINARY_REASON = "lijkt geen tekstbestand te zijn (binaire inhoud)"
EMPTY_REASON = "bestand is leeg"

# Control characters other than tab, newline, vertical tab, form feed and
# carriage return; C1 controls appear when binary data is decoded as latin-1,
# U+FFFD when a lenient decoder (BeautifulSoup's) replaced undecodable bytes.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_MAX_CONTROL_RATIO = 0.05
# Byte-order marks of the encodings with NUL bytes in ordinary text, longest first:
# UTF-32's little-endian mark begins with UTF-16's.
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
WIDE_BOMS = tuple(bom for bom, _ in _WIDE_BOMS)
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*\r?$")
_MD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def looks_binary(text: str) -> bool:
    """True when more than 5% of the characters are control/replacement chars."""
    return bool(text) and len(_CONTROL.findall(text)) > _MAX_CONTROL_RATIO * len(text)


def decode(data: bytes, doc_id: str) -> str:
    """Bytes to text as described in the module docstring; ReadError if binary.

    Shared with the HTML reader. UTF-16 and UTF-32 are accepted only with a
    BOM, as they are otherwise indistinguishable from binary data.
    """
    wide = next((codec for bom, codec in _WIDE_BOMS if data.startswith(bom)), None)
    if wide is not None:
        try:
            text = data.decode(wide)  # consumes the BOM
        except UnicodeDecodeError:
            raise ReadError(doc_id, BINARY_REASON) from None
    else:
        if b"\x00" in data:
            raise ReadError(doc_id, BINARY_REASON)
        body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text, encoding = body.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = body.decode("latin-1"), "latin-1"
            log.warning("%s: geen geldige UTF-8, gelezen als %s", doc_id, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    if looks_binary(text):
        raise ReadError(doc_id, BINARY_REASON)
    return text


_FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:", re.M)
_FRONT_MATTER_TITLE = re.compile(r"^title[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.M | re.I)
_FRONT_MATTER_MAX_CHARS = 20_000


def _front_matter_end(text: str) -> int | None:
    """The offset after the line that closes a front-matter block opening `text`, or None.

    Line by line: the first line is "---", and a later line, starting within
    the first 20,000 characters, is "---" or "..." (trailing blanks allowed).
    """
    first = text.find("\n")
    if first < 0 or text[:first].rstrip(" \t\r") != "---":
        return None
    pos = first + 1
    while pos < min(len(text), _FRONT_MATTER_MAX_CHARS):
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        if text[pos:end].rstrip(" \t\r") in ("---", "..."):
            return end
        if newline < 0:
            return None
        pos = newline + 1
    return None


def front_matter(text: str) -> tuple[str, str]:
    """(title, text): the YAML front matter's title, and the text with the block blanked.

    Only a block that opens the file, closes on a line starting within its
    first 20,000 characters and holds a ``key:`` line counts: a Markdown text
    may also open with a horizontal rule. Without one: ("", text) unchanged.
    """
    end = _front_matter_end(text)
    if end is None:
        return "", text
    block = text[:end]
    inner = block[block.index("\n") + 1:]
    if not _FRONT_MATTER_KEY.search(inner):
        return "", text
    title = _FRONT_MATTER_TITLE.search(inner)
    value = title.group(1).strip() if title else ""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return clean_title(value), re.sub(r"[^\n]", " ", block) + text[end:]


def markdown_title(text: str) -> str:
    """The first ATX ``#`` heading outside fenced code blocks, or ''."""
    fence = None
    for line in text.split("\n"):
        match = _MD_FENCE.match(line)
        if match:
            marker = match.group(1)[0]
            if fence is None:
                fence = marker
            elif fence == marker:
                fence = None
            continue
        if fence is None:
            heading = _MD_HEADING.match(line)
            if heading and clean_title(heading.group(2)):
                return clean_title(heading.group(2))
    return ""


def read(path: Path, doc_id: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Read a .txt or .md file; the text is exactly the decoded file."""
    text = decode(path.read_bytes(), doc_id)
    if not text.strip():
        raise ReadError(doc_id, EMPTY_REASON)
    check_text(doc_id, text, limits)  # before the title: guessing it reads the whole text
    kind = "md" if path.suffix.lower() == ".md" else "txt"
    meta_title = ""
    if kind == "md":
        meta_title, text = front_matter(text)
        if not text.strip():
            raise ReadError(doc_id, "bevat alleen metadata (YAML front matter), geen tekst")
    title = meta_title or (markdown_title(text) if kind == "md" else "") or guess_title(text, path)
    return Document(doc_id=doc_id, title=title, text=text, kind=kind)

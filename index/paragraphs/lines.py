"""Stage 1, lines: the text as lines with positions, and what kind each is.

A line keeps its offsets in the source, whether it starts with whitespace
(often a page start in PDF text) and its trailing whitespace (a trace of the
layout: see `joining`). Blank lines are counted, not kept: the number of
blank lines before and after each line is what the joining stage reads.
Page furniture (bare page numbers, see `furniture`) counts as a blank line.
Each line is then classified: a Markdown heading, a letter-spaced title, a
numbered article title of a clipping collection ("01.", "02.", in
sequence), a table row (a tab), a superscript footnote, a bare URL, a
bullet or a numbered item -- or plain text.
"""

from __future__ import annotations

import re

from dataclasses import dataclass

from .common import (
    ARTICLE, BULLET, MD_FOOTNOTE_LINE, MD_HEADING, NUMBERED, SPACED, SUP_FOOTNOTE_LINE, URL_LINE, is_upper_start,
)
from .furniture import is_page_furniture

@dataclass(slots=True)  # one per line of text: millions in a long list
class Line:
    no: int  # 0-based line number
    start: int  # offset of first visible char
    end: int  # offset after last visible char
    text: str  # visible content
    lead: bool  # starts with whitespace (often a page start in PDF text)
    trail: int  # 0: no trailing whitespace, 1: one space, 2: more
    kind: str = "text"  # text, bullet, numbered, md, article, spaced, tab, url
    level: int = 0
    gap: int = 0  # blank lines before it (in the main stream)
    clean: str = ""  # visible text after markup removal (for decisions)
    pagebreak: bool = False  # a footnote block or page start precedes it


def split_lines(text: str) -> list[tuple[int, str]]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        out.append((pos, raw))
        pos += len(raw) + 1
    return out


def make_line(no: int, pos: int, raw: str) -> Line | None:
    raw_nocr = raw.rstrip("\r")
    stripped = raw_nocr.strip()
    if not stripped:
        return None
    lstrip_len = len(raw_nocr) - len(raw_nocr.lstrip())
    rs = raw_nocr[len(raw_nocr.rstrip()) :]
    trail = 0 if not rs else (1 if rs == " " else 2)
    start = pos + lstrip_len
    return Line(no, start, start + len(stripped), stripped, lstrip_len > 0, trail)



def read_lines(text: str) -> tuple[list[Line], dict[int, int], dict[int, int]]:
    """The non-blank lines, and per line number the blank lines before / after it."""
    lines: list[Line] = []
    blank_before: dict[int, int] = {}
    blank_after: dict[int, int] = {}
    blanks = 0
    for no, (pos, raw) in enumerate(split_lines(text)):
        ln = make_line(no, pos, raw)
        if ln is None or is_page_furniture(ln.text):
            blanks += 1
            continue
        blank_before[no] = blanks
        if lines:
            blank_after[lines[-1].no] = blanks
        blanks = 0
        lines.append(ln)
    return lines, blank_before, blank_after


def classify_line(ln: Line, prev: Line | None, article_next: list[int]) -> None:
    t = ln.text
    m = MD_HEADING.match(t)
    if m and m.group(2):
        ln.kind, ln.level = "md", len(m.group(1))
        return
    if SPACED.match(t):
        ln.kind = "spaced"
        return
    m = ARTICLE.match(t)
    if m and int(m.group(1)) == article_next[0] and len(t) < 200:
        ln.kind, ln.level = "article", 1
        article_next[0] += 1
        return
    if "\t" in t:
        ln.kind = "tab"
        return
    if SUP_FOOTNOTE_LINE.match(t) or MD_FOOTNOTE_LINE.match(t):
        ln.kind = "supfn"
        return
    if URL_LINE.match(t):
        ln.kind = "url"
        return
    m = BULLET.match(t)
    if m and len(t) > m.end():
        rest = t[m.end() :]
        if m.group(1) in "-–−*":
            # a dash at line start is a bullet only before a capital / digit, or where a list goes
            # on: after a lead-in ("... als u:") or an item ("21 jaar of ouder bent;")
            if not is_upper_start(rest) and not (prev is not None and (
                    prev.kind == "bullet" or prev.text.rstrip().endswith((":", ";")))):
                return
        ln.kind = "bullet"
        return
    if NUMBERED.match(t) and is_upper_start(t[NUMBERED.match(t).end() :]):
        ln.kind = "numbered"



# A Markdown code fence: its lines are the document's text, but never headings or list items
# ("# Let op" in a code block is a comment, not a section).
FENCE = re.compile(r"^ {0,3}(```|~~~)")


def classify_lines(lines: list[Line]) -> set[int]:
    """Set every line's kind, and return the numbers of the lines in code fences.

    A single "01." line makes no clipping collection.
    """
    article_next = [1]
    prev = None
    fence = None  # the open fence's marks
    fenced: set[int] = set()
    for ln in lines:
        opened = FENCE.match(ln.text)
        if fence is not None or opened:
            if opened and (fence is None or opened.group(1) == fence):
                fence = opened.group(1) if fence is None else None
            prev = ln  # fenced lines (and the fences) stay plain text
            fenced.add(ln.no)
            continue
        classify_line(ln, prev, article_next)
        prev = ln
    if article_next[0] == 2:
        for ln in lines:
            if ln.kind == "article":
                ln.kind = "text"
    return fenced

"""Lines into blocks: headings, list items, paragraphs, table rows, footnotes.

Decided from the layout, over the whole document at once:

* The body size is the font size most characters have; the normal line gap
  is the median gap between consecutive body lines.
* A heading is a short line (at most 20 words) in a larger size than the
  body, or entirely bold when the body is not; consecutive heading lines in
  one style are one heading. Levels follow the style (larger first, then
  bold at body size; level 1 only for a title that occurs once, as in
  HTML), then the numbering depth ("2.3" below "2" in the
  same style; a lone number may be a count, "3 manieren"). A
  "heading" of more than three lines is a lead paragraph in a large font.
* A list item opens with a bullet glyph, a dash, or a number or letter with
  "." or ")", or has a small drawn shape just left of it (browsers draw
  bullets as shapes). Lines indented under it continue it. An indented line
  without any marker is an item too, unless it is the first line of a
  paragraph with a first-line indent; it goes on to the next line when it
  wrapped there.
* Within a column, a paragraph ends at a gap wider than the normal line gap,
  at a first-line indent, and after a short line that ends a sentence.
* Over a column or page break a paragraph goes on when its last line does
  not end a sentence, or fills the line to the margin, or the next line
  starts lower-case: a paragraph that runs over a page break stays one.
* A table becomes one block per row. A footnote is attached to the block
  that holds its marker on its page (the reader writes it as an inline
  definition "[3: ...]" at the end of that unit, which the paragraph
  reconstruction turns into a footnote unit of its own); without a marker it
  is a block of its own after the page's last block.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from index.pdf.footnotes import Footnote, note_text
from index.pdf.joining import join_text
from index.pdf.lines import BULLET_GLYPHS, Line

_BULLET = re.compile(rf"^(?:[{BULLET_GLYPHS}]|[-–−*](?=\s))")
_NUMBERED = re.compile(r"^\(?(?:\d{1,2}|[a-z])[.)]\s+(?=\S)")
_HEADING_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+\S")
_SENT_END = re.compile(r"[.!?:][\"'’”)\]⁰¹²³⁴⁵⁶⁷⁸⁹]*$")
MAX_HEADING_WORDS = 20
MAX_HEADING_LINES = 3


@dataclass
class Block:
    """One unit of the document's text, with the page of each piece."""

    kind: str  # "heading", "paragraph", "bullet", "footnote", "row"
    pieces: list[tuple[str, int]] = field(default_factory=list)  # (text, page)
    level: int = 0
    lines: list[Line] = field(default_factory=list)
    marker: str = ""  # "- " for a list item without a glyph in the text
    style: tuple = ()
    ocr: bool = False
    notes: list[tuple[str, str, int]] = field(default_factory=list)  # number, text, page

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.pieces)

    @property
    def pages(self) -> set[int]:
        return {p for _, p in self.pieces}


@dataclass
class Metrics:
    body_size: float
    body_bold: bool
    gap: float


def measure(pages: list[list[Line]]) -> Metrics:
    """Body size, whether the body is bold, and the normal line gap."""
    sizes: dict[float, int] = {}
    bold_chars = chars = 0
    for lines in pages:
        for line in lines:  # table cells are text too: a page of tables has their size
            for w in line.words:
                sizes[w.size] = sizes.get(w.size, 0) + len(w.text)
    body = max(sizes, key=sizes.get) if sizes else 10.0
    gaps = []
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            if a.table_rows is None and b.table_rows is None and a.column == b.column:
                if abs(a.size - body) < 0.5 and abs(b.size - body) < 0.5:
                    gap = b.top - a.bottom
                    if -0.5 * body < gap < 1.5 * body:
                        gaps.append(gap)
            for w in a.words:
                if abs(w.size - body) < 0.5:
                    chars += len(w.text)
                    bold_chars += len(w.text) if w.bold else 0
    return Metrics(body, chars > 0 and bold_chars / chars > 0.6, statistics.median(gaps) if gaps else 0.3 * body)


def _ends_sentence(text: str) -> bool:
    return bool(_SENT_END.search(text.rstrip()))


def _heading_style(line: Line, m: Metrics) -> tuple | None:
    text = line.text
    if line.table_rows is not None or len(text.split()) > MAX_HEADING_WORDS:
        return None
    if not any(c.isalpha() for c in text) or text.rstrip().endswith(","):
        return None
    if line.size >= 1.12 * m.body_size:
        return (-round(line.size), not line.bold)
    if line.bold and not m.body_bold and not text.rstrip().endswith((".", ":", ";")):
        return (-round(line.size), False)
    return None


class _Columns:
    """Left and right edge of the text in each column of each page."""

    def __init__(self, pages: list[list[Line]]):
        self.left: dict[tuple[int, int], float] = {}
        self.right: dict[tuple[int, int], float] = {}
        self.lines: dict[tuple[int, int], int] = {}
        for lines in pages:
            groups: dict[tuple[int, int], list[Line]] = {}
            for line in lines:
                if line.table_rows is None:
                    groups.setdefault((line.page, line.column), []).append(line)
            for k, group in groups.items():
                xs = [round(line.x0) for line in group]
                mode = max(set(xs), key=lambda x: (sum(1 for v in xs if abs(v - x) <= 1), -x))
                self.left[k] = min(mode, min(xs) + 0.5 * 72) if xs else 0.0
                self.right[k] = max(line.x1 for line in group)
                self.lines[k] = len(group)

    def indent(self, line: Line) -> float:
        return line.x0 - self.left.get((line.page, line.column), line.x0)

    def slack(self, line: Line) -> float:
        return self.right.get((line.page, line.column), line.x1) - line.x1


class _Builder:
    def __init__(self, pages: list[list[Line]], m: Metrics, vocab: str):
        self.pages = pages
        self.m = m
        self.vocab = vocab
        self.cols = _Columns(pages)
        self.blocks: list[Block] = []
        self.cur: Block | None = None

    # -- classification ----------------------------------------------------
    def kind_of(self, line: Line, nxt: Line | None) -> str:
        if _heading_style(line, self.m) is not None:
            return "heading"
        text = line.text
        if _BULLET.match(text) or _NUMBERED.match(text):
            return "bullet"
        if line.bullet:
            return "implicit"
        size = line.size
        if self.cols.indent(line) > 1.2 * size:
            first_line_indent = (
                nxt is not None
                and nxt.page == line.page
                and nxt.column == line.column
                and abs(self.cols.indent(nxt)) < 0.5 * size
                and nxt.top - line.bottom < self.m.gap + 0.4 * size
            )
            centred = (
                abs(self.cols.indent(line) - self.cols.slack(line)) < 2 * size
                and self.cols.indent(line) > 4 * size
            )
            if not first_line_indent and not centred:
                return "implicit"
        return "text"

    # -- continuation ------------------------------------------------------
    def same_flow(self, a: Line, b: Line) -> bool:
        return a.page == b.page and a.column == b.column

    def gap_break(self, a: Line, b: Line) -> bool:
        return b.top - a.bottom > self.m.gap + 0.4 * max(a.size, b.size)

    def over_break(self, a: Line, b: Line) -> bool:
        """Across a column or page break: does b go on with a?

        Yes when a stops mid-sentence or b starts lower-case; also when a
        ends a sentence but fills its line to the margin (a paragraph's last
        line is rarely full) and b has no first-line indent.
        """
        text = b.text
        if not b.words:
            return False
        if not _ends_sentence(a.text) or text[:1].islower():
            return True
        # the margin is only known from a few lines
        known = self.cols.lines.get((a.page, a.column), 0) >= 3
        return known and self.cols.slack(a) < 1.0 * a.size and self.cols.indent(b) < 0.5 * b.size

    def wrapped(self, a: Line, b: Line) -> bool:
        """Whether line a was wrapped onto b: b goes on lower-case, or a
        stops mid-sentence where b's first word would not have fitted."""
        size = b.size
        if b.text[:1].islower():
            return True
        first_word = len(b.text.split(" ", 1)[0]) * 0.55 * size
        slack = self.cols.slack(a)
        return slack < 1.5 * size or (not _ends_sentence(a.text) and slack < first_word + 3 * size)

    def continues(self, cur: Block, a: Line, b: Line, kind: str) -> bool:
        a_margin, b_margin = _in_margin(a), _in_margin(b)
        if a_margin or b_margin:
            # A letter's side column (sender, "Datum", "Kenmerk") is no part of the body text beside
            # it, and is one block of its page: its short label lines ("Bijlage(n) 1") head nothing.
            return a_margin and b_margin and self.same_flow(a, b)
        if kind in ("heading", "bullet") and cur.kind != "heading":
            return False
        if cur.kind == "heading":
            return (
                kind == "heading"
                and _heading_style(b, self.m) == cur.style
                and self.same_flow(a, b)
                and not self.gap_break(a, b)
                and len(cur.lines) < MAX_HEADING_LINES + 1
            )
        if not self.same_flow(a, b):
            return kind == "text" and self.over_break(a, b)
        if self.gap_break(a, b):
            return False
        size = b.size
        if cur.kind == "bullet":
            first = cur.lines[0]
            if cur.marker:  # an item without a glyph in the text
                if b.bullet or abs(b.x0 - first.x0) >= 2 or kind not in ("implicit", "text"):
                    return False
                # a drawn bullet marks every item: a line without one goes on
                return first.bullet or (kind == "implicit" and self.wrapped(a, b))
            return b.x0 > first.x0 + 2 and kind in ("text", "implicit")
        if kind == "implicit":
            return False
        if self.cols.indent(b) > 0.8 * size and self.cols.indent(a) < 0.5 * size:
            return False  # first-line indent
        if _ends_sentence(a.text):
            first_word = len(b.text.split(" ", 1)[0]) * 0.55 * size
            if self.cols.slack(a) > max(2.5 * size, first_word + size):
                return False
        return True

    # -- building ----------------------------------------------------------
    def add_line(self, cur: Block, line: Line) -> None:
        text = line.text
        if cur.pieces:
            last_text, last_page = cur.pieces[-1]
            kept, sep = join_text(last_text, text, self.vocab)
            cur.pieces[-1] = (kept + sep, last_page)
        cur.pieces.append((text, line.page))
        cur.lines.append(line)
        cur.ocr = cur.ocr or line.ocr

    def open(self, line: Line, kind: str) -> Block:
        block_kind = {"heading": "heading", "bullet": "bullet", "implicit": "bullet"}.get(kind, "paragraph")
        block = Block(block_kind)
        if kind == "implicit":
            block.marker = "- "
        if kind == "heading":
            block.style = _heading_style(line, self.m)
        self.blocks.append(block)
        self.add_line(block, line)
        return block

    def build(self) -> list[Block]:
        flat = [line for lines in self.pages for line in lines]
        prev: Line | None = None
        cur: Block | None = None
        for i, line in enumerate(flat):
            if line.table_rows is not None:
                for row in line.table_rows:
                    self.blocks.append(Block("row", [(row, line.page)], lines=[line]))
                cur, prev = None, None
                continue
            nxt = flat[i + 1] if i + 1 < len(flat) else None
            kind = self.kind_of(line, nxt)
            if cur is not None and prev is not None and self.continues(cur, prev, line, kind):
                self.add_line(cur, line)
            else:
                cur = self.open(line, kind)
            prev = line
        return self.blocks


def _in_margin(line: Line) -> bool:
    """In a narrow column right of the body: a letter's side column. (A narrow column on the
    left is more often a list's numbers, hanging beside its items.)"""
    return line.side and line.column == 2


def _demote_long_headings(blocks: list[Block]) -> None:
    """A "heading" of many lines is a lead paragraph; a text of only headings
    (one sentence in a large font) is a text, not a title without a body."""
    if blocks and all(b.kind == "heading" for b in blocks):
        for b in blocks:
            b.kind = "paragraph"
    for b in blocks:
        if b.kind == "heading" and (
            len(b.lines) > MAX_HEADING_LINES or len(b.text.split()) > 2 * MAX_HEADING_WORDS
        ):
            b.kind = "paragraph"


def _levels(blocks: list[Block]) -> None:
    """Heading levels: style first (larger, then bold), then numbering depth."""
    keys = set()
    for b in blocks:
        if b.kind == "heading":
            m = _HEADING_NUMBER.match(b.text)
            # "2.3" is deeper than "2"; a lone number ("3 manieren ...") may be a count
            depth = m.group(1).count(".") + 1 if m and "." in m.group(1) else 0
            b.level = depth
            keys.add((b.style, depth))
    ranked = sorted(keys)
    # As in HTML: level 1 is a title that occurs once; when the largest style
    # recurs, its headings are sections and start at level 2.
    top = sum(1 for b in blocks if b.kind == "heading" and (b.style, b.level) == ranked[0]) if ranked else 0
    first = 1 if top <= 1 else 2
    for b in blocks:
        if b.kind == "heading":
            b.level = min(6, ranked.index((b.style, b.level)) + first)


def _place_footnotes(blocks: list[Block], notes: list[Footnote]) -> list[Block]:
    """Attach each footnote to the block holding its marker on its page.

    A footnote whose marker is not found (or sits in a heading) becomes a
    block of its own after the last block of its page.
    """
    after: dict[int, list[Block]] = {}
    for note in notes:
        text = note_text(note)
        if not text:
            continue
        body = text[len(note.number):].strip() if note.number else text
        host = None
        for i, b in enumerate(blocks):
            if any(line.page == note.page and note.number in line.markers for line in b.lines):
                host = i
                break
        if host is not None and blocks[host].kind not in ("heading", "row"):
            blocks[host].notes.append((note.number, body, note.page))
            continue
        block = Block("footnote", [], lines=list(note.lines))
        block.notes.append((note.number, body, note.page))
        on_page = [i for i, b in enumerate(blocks) if note.page in b.pages]
        earlier = [i for i, b in enumerate(blocks) if min(b.pages, default=0) <= note.page]
        at = host if host is not None else (on_page or earlier or [-1])[-1]
        after.setdefault(at, []).append(block)
    out: list[Block] = list(after.get(-1, []))
    for i, b in enumerate(blocks):
        out.append(b)
        out.extend(after.get(i, []))
    return out


def build_blocks(pages: list[list[Line]], notes: list[Footnote], m: Metrics) -> list[Block]:
    """All blocks of the document in reading order (see the module docstring)."""
    vocab = " ".join(line.text for lines in pages for line in lines if line.table_rows is None).lower()
    blocks = _Builder(pages, m, vocab).build()
    _demote_long_headings(blocks)
    _levels(blocks)
    return _place_footnotes(blocks, notes)

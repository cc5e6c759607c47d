"""Words into lines, and what a line tells: size, weight, footnote markers.

Words belong to one line when they overlap vertically. The line's size is the
size most of its characters have, so a superscript digit or a small symbol
does not change it. A superscript footnote marker -- a short run of digits
(or "*") in a clearly smaller size, raised above the line's baseline -- is
written as Unicode superscript digits glued to its word ("gemeenten¹") and
its number kept in `markers`: the footnote stage ties the footnote to the
paragraph that holds it, the paragraph reconstruction drops superscripts
from chunk text, and a marker never reads as part of a word ("gemeenten1").
A raised number that opens a line is the footnote's own number
(`lead_marker`) and leaves the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index.pdf.words import Word

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TRANS = str.maketrans(_SUPERSCRIPTS, "0123456789")
_TO_SUP = str.maketrans("0123456789", _SUPERSCRIPTS)
_SUP_TAIL = re.compile(r"(?<=[^\s" + _SUPERSCRIPTS + r"])([" + _SUPERSCRIPTS + r"]+)$")
# The glyphs that open a list item, besides a dash or an asterisk before a space (index.pdf.blocks)
# or alone in a column of their own (index.pdf.columns).
BULLET_GLYPHS = "•·▪◦∙●○■□➢►✓‣⁃"
# Lines × small shapes beyond which drawn bullets are not looked for (each pair is compared).
MAX_BULLET_PAIRS = 1_000_000
_MARKER = re.compile(r"^(?:\d{1,3}|\*{1,3}|[" + _SUPERSCRIPTS + r"]{1,3})[,.;:)]?$")


@dataclass
class Line:
    """One line of text on a page, within one column."""

    words: list[Word]
    page: int
    column: int = 0  # 0: full width, 1: left of the gutter, 2: right of it
    side: bool = False  # in a narrow side column (a letter's margin block)
    markers: list[str] = field(default_factory=list)  # footnote numbers in it
    lead_marker: str = ""  # a raised number opening the line (a footnote's own)
    table_rows: list[str] | None = None  # set when this "line" is a table
    bullet: bool = False  # a drawn bullet (a small shape) stands left of it
    ocr: bool = False

    @property
    def text(self) -> str:
        return join_words(self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        counts: Counter = Counter()
        for w in self.words:
            counts[w.size] += len(w.text)
        return counts.most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        letters = [w for w in self.words if any(c.isalpha() for c in w.text)]
        return bool(letters) and all(w.bold for w in letters)


def join_words(words: list[Word]) -> str:
    """The words of a line, left to right, with a space where there is a gap."""
    out: list[str] = []
    prev: Word | None = None
    for w in sorted(words, key=lambda w: w.x0):
        if prev is not None and w.x0 - prev.x1 > 0.12 * min(w.size, prev.size):
            out.append(" ")
        out.append(w.text)
        prev = w
    return "".join(out)


def group_lines(words: list[Word], page: int, column: int = 0) -> list[Line]:
    """Cluster words into lines by vertical overlap, top to bottom."""
    rows: list[list[Word]] = []
    bounds: list[list[float]] = []  # top, bottom of the row's main words
    # Rows that end above a word can take no later word either (words come top down and
    # a row keeps its first word's bounds): only the rows still open are tried, first first.
    open_rows: list[int] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        open_rows = [r for r in open_rows if bounds[r][1] >= w.top or bounds[r][1] < bounds[r][0]]
        for r in open_rows:
            top, bottom = bounds[r]
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= 0.3 * min(w.height, bottom - top):
                rows[r].append(w)
                break
        else:
            open_rows.append(len(rows))
            rows.append([w])
            bounds.append([w.top, w.bottom])
    rows.sort(key=lambda r: min(w.top for w in r))
    return [_take_markers(Line(sorted(r, key=lambda w: w.x0), page, column)) for r in rows]


def _is_marker(w: Word, line_size: float, baseline: float) -> bool:
    return (
        bool(_MARKER.match(w.text))
        and w.size <= 0.8 * line_size
        and w.bottom < baseline - 0.12 * line_size
    )


def _take_markers(line: Line) -> Line:
    """Take superscript footnote markers out of the line's words."""
    size = line.size
    main = [w for w in line.words if w.size == size]
    baseline = max(w.bottom for w in main) if main else line.bottom
    kept: list[Word] = []
    for i, w in enumerate(line.words):
        if _is_marker(w, size, baseline):
            number = w.text.strip(",.;:)").translate(_SUP_TRANS)
            if i == 0:
                line.lead_marker = number
                continue
            line.markers.append(number)
            # kept in the text as a superscript glued to its word: the paragraph
            # reconstruction drops it from chunk text, and the chunker finds
            # the sentence that carries it
            w = Word(w.text.translate(_TO_SUP), w.x0, w.x1, w.top, w.bottom, size, w.bold)
        else:
            m = _SUP_TAIL.search(w.text)
            if m and len(w.text) > len(m.group(1)):
                line.markers.append(m.group(1).translate(_SUP_TRANS))
        kept.append(w)
    if kept:
        line.words = kept
    return line


def mark_bullets(lines: list[Line], shapes: list[tuple[float, float, float, float]]) -> None:
    """Mark lines with a drawn bullet: a small shape (x0, top, x1, bottom) just
    left of the line's first word, level with it. Browsers draw list bullets
    as shapes, not as text."""
    if len(lines) * len(shapes) > MAX_BULLET_PAIRS:
        return  # a drawing, not a list: thousands of small shapes
    for line in lines:
        size = line.size
        for x0, top, x1, bottom in shapes:
            mid = (top + bottom) / 2
            if x1 <= line.x0 + 1 and line.x0 - x1 < 3 * size and line.top <= mid <= line.bottom:
                line.bullet = True
                break

"""Reading order: a page with a gutter is read column by column.

A gutter is a vertical strip, at least ``MIN_GUTTER`` points wide, that no
word of the page's columns crosses, with text on both sides of it on several
lines, and at least ``MIN_SECTION_ROWS`` rows running side by side (a
borderless table of a few rows between full-width text has gutters too, but
must be read row by row). Lines that do cross it (a title over both columns, a letter's body
under its side column) span the page: they split it into sections, and each
section is read left column first, then right column. Where a few rows
cross, the gutter is the part of the strip that the fewest rows cross: not
the ragged ends of the left column's longest lines beside it. A narrow column (under
``SIDE_SHARE`` of the text width) is marked as a side column: that is where
letters keep "Datum", "Kenmerk" and the sender's address, which the
furniture stage then recognises when it recurs on every page.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from index.pdf.lines import BULLET_GLYPHS, Line, group_lines
from index.pdf.words import Word

MIN_GUTTER = 9.0
SIDE_SHARE = 0.35
MIN_SIDE_ROWS = 2
MIN_SECTION_ROWS = 6  # columns run for several lines side by side; table rows are few
# The most rows of the page's text that may cross a gutter: a short two-column section
# between full-width paragraphs (a report's page) still has its gutter.
CROSSING_SHARE = 0.6
BAND = 0.06  # top and bottom share of the page left out of the gutter search
# Points between the leftmost and rightmost word beyond which no gutter is looked for:
# wider than an A0 sheet on its side, so words off the page (a file may place them anywhere).
MAX_SPAN = 3600.0


def _rows(words: list[Word]) -> list[list[Word]]:
    """Rough page-wide rows (by vertical centre), for finding a gutter."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.mid_y):
        if rows and abs(w.mid_y - rows[-1][-1].mid_y) <= 0.35 * w.height:
            rows[-1].append(w)
        else:
            rows.append([w])
    return rows


def _evaluate(rows: list[list[Word]], a: float, b: float) -> tuple[int, int, int, int]:
    """Rows crossing [a, b], rows with text left only, right only, both sides."""
    crossing = left = right = both = 0
    for row in rows:
        if any(w.x0 < b and w.x1 > a for w in row):
            crossing += 1
            continue
        has_left = any(w.x1 <= a for w in row)
        has_right = any(w.x0 >= b for w in row)
        both += has_left and has_right
        left += has_left and not has_right
        right += has_right and not has_left
    return crossing, left, right, both


def _longest_section(rows: list[list[Word]], a: float, b: float) -> int:
    """The most consecutive rows (top to bottom) that no word crosses [a, b] in."""
    best = run = 0
    for row in rows:
        if any(w.x0 < b and w.x1 > a for w in row):
            run = 0
        else:
            run += 1
            best = max(best, run)
    return best


def _cover(rows: list[list[Word]], lo: float, size: int) -> list[int]:
    """Per point from `lo`: how many rows have a word over it, in time linear in words and points."""
    change = [0] * (size + 1)
    for row in rows:
        spans = sorted((a, b) for a, b in ((int(w.x0 - lo), int(w.x1 - lo)) for w in row) if b >= a)
        if not spans:
            continue
        start, end = spans[0]
        for a, b in spans[1:]:
            if a > end + 1:
                change[start] += 1
                change[end + 1] -= 1
                start, end = a, b
            else:
                end = max(end, b)
        change[start] += 1
        change[end + 1] -= 1
    cover, running = [0] * size, 0
    for x in range(size):
        running += change[x]
        cover[x] = running
    return cover


def _least_covered(cover: list[int], start: int, end: int) -> tuple[int, int]:
    """Of the strip cover[start:end], its widest part that the fewest rows cross and is still a gutter.

    A strip that a few rows may cross takes in, besides the gutter that only a
    title crosses, the ragged ends of the left column's lines that come near
    it; those lines would then count as crossing the gutter, as if they ran
    over the whole page, and the columns would be read line by line across.
    So the strip is narrowed to where at most m rows cross it, for the least
    m that leaves MIN_GUTTER points (the gap between two words of the title
    alone is narrower).
    """
    for most in sorted(set(cover[start:end])):
        widest, best = 0, None
        x = start
        while x < end:
            if cover[x] > most:
                x += 1
                continue
            run = x
            while x < end and cover[x] <= most:
                x += 1
            if x - run > widest:
                widest, best = x - run, (run, x)
        if best is not None and widest - 1 >= MIN_GUTTER:
            return best
    return start, end


def find_gutter(words: list[Word], height: float | None = None) -> tuple[float, float] | None:
    """The strip between two columns, or None for a single-column page.

    Words in the top and bottom band of the page (running headers, footers,
    print stamps: a date left and a title centred) are no columns and are
    left out of the search.
    """
    if height:
        words = [w for w in words if w.top >= BAND * height and w.bottom <= (1 - BAND) * height] or words
    if len(words) < 8:
        return None
    lo = min(w.x0 for w in words)
    hi = max(w.x1 for w in words)
    if hi - lo > MAX_SPAN:
        return None  # words far apart (off the page, or a page metres wide): no columns to find
    rows = _rows(words)
    cover = _cover(rows, lo, int(hi - lo) + 2)
    best = None
    for limit in (0, len(rows) // 10, len(rows) // 4, int(len(rows) * 0.45), int(len(rows) * CROSSING_SHARE)):
        x = 0
        while x < len(cover):
            if cover[x] > limit:
                x += 1
                continue
            start = x
            while x < len(cover) and cover[x] <= limit:
                x += 1
            if start == 0 or x >= len(cover):
                continue
            start, end = _least_covered(cover, start, x)
            a, b = lo + start, lo + end - 1
            if b - a < MIN_GUTTER:
                continue
            crossing, left, right, both = _evaluate(rows, a, b)
            left_rows, right_rows = left + both, right + both
            if min(left_rows, right_rows) < MIN_SIDE_ROWS or crossing > CROSSING_SHARE * len(rows):
                continue
            if both < 3 and min(left_rows, right_rows) < 3:
                continue
            if _longest_section(rows, a, b) < MIN_SECTION_ROWS:
                continue  # a few rows between full-width text: a table, not columns
            score = (both + min(left_rows, right_rows), b - a)
            if best is None or score > best[0]:
                best = (score, (a, b))
        if best is not None:
            return best[1]
    return None


# A list's number or bullet, set in a column of its own beside the item's text ("3." hanging left).
_ENUMERATOR = re.compile(rf"^(?:\(?\d{{1,3}}[.)]|\(?[a-z][.)]|[{BULLET_GLYPHS}]|[-–−*])$")


def _hanging_numbers(words: list[Word], gutter: tuple[float, float]) -> bool:
    """The strip left of the gutter holds only list numbers or bullets beside the rows that do not
    cross it: one list, read row by row (each number with the item beside it), not two columns."""
    a, b = gutter
    crossing = sorted((w.top, w.bottom) for w in words if w.x0 < b and w.x1 > a)
    tops = [top for top, _ in crossing]
    reach = list(accumulate((bottom for _, bottom in crossing), max))

    def beside_crossing(w: Word) -> bool:
        k = bisect_right(tops, w.mid_y) - 1  # the crossing words starting above w's middle
        return k >= 0 and reach[k] >= w.mid_y

    left = [w for w in words if w.x1 <= a and not beside_crossing(w)]
    return bool(left) and all(_ENUMERATOR.match(w.text) for w in left)


def read_order(words: list[Word], page: int, width: float, height: float | None = None) -> list[Line]:
    """The page's lines in reading order (see the module docstring)."""
    gutter = find_gutter(words, height)
    if gutter is None or _hanging_numbers(words, gutter):
        return group_lines(words, page)
    a, b = gutter
    spanning = [w for w in words if w.x0 < b and w.x1 > a]
    bands = sorted((w.top, w.bottom) for w in spanning)
    merged: list[list[float]] = []
    for top, bottom in bands:
        if merged and top <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], bottom)
        else:
            merged.append([top, bottom])

    def band_of(w: Word) -> int | None:
        for i, (top, bottom) in enumerate(merged):
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= 0.3 * w.height:
                return i
        return None

    lo = min(w.x0 for w in words)
    hi = max(w.x1 for w in words)
    left_side = (a - lo) < SIDE_SHARE * (hi - lo)
    right_side = (hi - b) < SIDE_SHARE * (hi - lo)
    # sections: the words between spanning bands, then the band itself
    events: list[tuple[float, int, Word]] = []
    for w in words:
        band = band_of(w)
        events.append((w.top, -1 if band is None else band, w))
    out: list[Line] = []
    section_left: list[Word] = []
    section_right: list[Word] = []

    # A side column is read before the text beside it: a letter's sender, "Datum" and
    # "Kenmerk" head the letter, and never run on from the body's last paragraph.
    order = ((2, section_right, right_side), (1, section_left, left_side)) if right_side and not left_side \
        else ((1, section_left, left_side), (2, section_right, right_side))

    def flush() -> None:
        for col, group, side in order:
            for line in group_lines(group, page, col):
                line.side = side
                out.append(line)
        section_left.clear()
        section_right.clear()

    band_words: dict[int, list[Word]] = {}
    for _, band, w in events:
        if band >= 0:
            band_words.setdefault(band, []).append(w)
    next_band = 0
    for top, band, w in sorted((e for e in events if e[1] < 0), key=lambda e: e[0]):
        while next_band < len(merged) and merged[next_band][1] <= w.top + 0.3 * w.height:
            flush()
            out.extend(group_lines(band_words.get(next_band, []), page, 0))
            next_band += 1
        (section_left if (w.x0 + w.x1) / 2 < (a + b) / 2 else section_right).append(w)
    flush()
    while next_band < len(merged):
        out.extend(group_lines(band_words.get(next_band, []), page, 0))
        next_band += 1
    return [line for line in out if line.words]

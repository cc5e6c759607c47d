"""Charts: the loose labels around a drawn chart leave the running text.

A bar or pie chart drawn in a PDF is filled shapes with its values and
categories written as loose words around them: "94", "81", "67" above the
bars, "2022 2023 2024" under them. Read in order, those words became a row of
numbers glued to the paragraph above the chart ("... naast hun reguliere werk.
81 67 2022 2023") and to its caption ("2024 Figuur 2 ..."). Without the
picture such a label says nothing a reader can check, and glued to a sentence
it spoils the quote; so the labels are taken out, and the caption ("Figuur 2
Gemiddelde afhandeltermijn ...") stays as the chart's text.

What counts as a chart (`chart_areas`): two or more filled shapes, each
larger than a drawn bullet, close to one another, none holding a line of
text and none in a table (a shaded table cell, a coloured text box and a
page's background hold text, or stand alone). Its area is their bounding
box widened by LABEL_MARGIN, where value and axis labels sit. A run of words
in the area is a label (`chart_labels`) when it is short (at most
MAX_LABEL_WORDS words, side by side) and does not end like a sentence: a
caption or a line of body text that reaches into the margin is longer, and a
paragraph's short last line ends in a full stop.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from index.pdf.lines import Line
from index.pdf.words import Word

# A shape at most this size (points) either way is a bullet, a tick or a marker, not a bar.
MIN_SHAPE = 3.0
# Shapes of one chart lie at most this far apart (points, an inch): the gap between two bars.
MAX_GAP = 72.0
# Where a chart's value and axis labels sit around its shapes (points).
LABEL_MARGIN = 14.0
# A label is a value or a category: a few words. A line of text is longer.
MAX_LABEL_WORDS = 4
# A page drawing more shapes than this is looked at no further (the clustering compares pairs).
MAX_SHAPES = 400
_SENTENCE_END = (".", ":", ";", "?", "!", ",")
_WHITE = {(1,), (1, 1, 1), (0, 0, 0, 0)}

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


def _filled_shapes(page) -> list[Box]:
    """The page's filled, non-white rectangles and curves larger than a bullet."""
    shapes = []
    for obj in list(page.rects) + list(page.curves):
        if not obj.get("fill"):
            continue
        colour = obj.get("non_stroking_color")
        if isinstance(colour, (list, tuple)) and tuple(float(c) for c in colour) in _WHITE:
            continue
        box = (float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))
        if box[2] - box[0] > MIN_SHAPE and box[3] - box[1] > MIN_SHAPE:
            shapes.append(box)
    return shapes


def _holds(box: Box, word: Word, margin: float = 0.0) -> bool:
    return (word.x0 >= box[0] - margin and word.x1 <= box[2] + margin
            and word.top >= box[1] - margin and word.bottom <= box[3] + margin)


def _overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    return a[0] - gap <= b[2] and b[0] - gap <= a[2] and a[1] - gap <= b[3] and b[1] - gap <= a[3]


def _runs(words: list[Word]) -> list[list[Word]]:
    """Words side by side on one row, split where the gap is wider than a word space."""
    runs: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round(w.mid_y), w.x0)):
        last = runs[-1][-1] if runs else None
        if (last is not None and abs(last.mid_y - word.mid_y) <= word.height / 2
                and word.x0 - last.x1 <= max(word.size, last.size)):
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _is_text(run: list[Word]) -> bool:
    return len(run) > MAX_LABEL_WORDS or run[-1].text.endswith(_SENTENCE_END)


def _clusters(shapes: list[Box]) -> list[list[Box]]:
    """Shapes joined when they lie within MAX_GAP of one another (single linkage)."""
    groups: list[list[Box]] = []
    for shape in shapes:
        near = [g for g in groups if any(_overlaps(shape, other, MAX_GAP) for other in g)]
        merged = [shape] + [s for g in near for s in g]
        groups = [g for g in groups if not any(g is n for n in near)] + [merged]
    return groups


class _ByTop:
    """The page's words sorted by their top, so that the words of a box are found by bisection."""

    def __init__(self, words: list[Word]):
        self.words = sorted(words, key=lambda w: w.top)
        self.tops = [w.top for w in self.words]

    def within(self, box: Box, margin: float = 0.0) -> list[Word]:
        start = bisect_left(self.tops, box[1] - margin)
        end = bisect_right(self.tops, box[3] + margin)
        return [w for w in self.words[start:end] if _holds(box, w, margin)]


def chart_areas(page, words: list[Word], tables: list[Line]) -> list[Box]:
    """The areas of the page's drawn charts, labels included (see the module docstring)."""
    shapes = _filled_shapes(page)
    if len(shapes) < 2 or len(shapes) > MAX_SHAPES:
        return []
    table_boxes = [(t.x0, t.top, t.x1, t.bottom) for t in tables]
    by_top = _ByTop(words)
    shapes = [s for s in shapes if not any(_overlaps(s, t) for t in table_boxes)
              and not any(_is_text(run) for run in _runs(by_top.within(s)))]
    areas = []
    for group in _clusters(shapes):
        if len(group) >= 2:
            areas.append((min(s[0] for s in group), min(s[1] for s in group),
                          max(s[2] for s in group), max(s[3] for s in group)))
    return areas


def drop_chart_labels(page, words: list[Word], tables: list[Line]) -> list[Word]:
    """The page's words without the labels of its drawn charts."""
    areas = chart_areas(page, words, tables)
    if not areas:
        return words
    labels: set[int] = set()
    by_top = _ByTop(words)
    for area in areas:
        for run in _runs(by_top.within(area, LABEL_MARGIN)):
            if not _is_text(run):
                labels.update(id(w) for w in run)
    return [w for w in words if id(w) not in labels]

"""Page furniture: what is printed on a page but is not part of the text.

Removed from the text and returned per page as metadata:

* Page numbers in the top or bottom band of a page: "3", "- 3 -", "3/7",
  "3 van 7", "Pagina 3 van 7", "Page 3 of 7".
* Print stamps a browser adds when it saves a page as PDF: a date and time
  at the top ("11/29/26, 1:27 PM Titel"), an address and "1/2" at the foot.
* Running headers and footers: a line in the top or bottom band whose text
  (digits ignored, so "Pagina 2" and "Pagina 3" match) recurs at the same
  height on other pages, and that stands apart from the body -- in another
  font size, or separated from the nearest body line by a gap wider than a
  line. Requiring the gap keeps a body line that happens to repeat ("land.")
  at the same height.
* Letter side-column blocks ("Datum", "Kenmerk", "Onze referentie", the
  sender's address): lines in a narrow side column that recur at the same
  height on other pages.
* The topmost or bottommost line of a page, in the top or bottom band, in a
  smaller font than the body and set apart from it: a stamp, or a header or
  footer with no other page to recur on (a one-page document, a chapter
  title over one page). A line that opens like a footnote ("3 Zie ...")
  is left to the footnote stage.
"""

from __future__ import annotations

import re
from collections import defaultdict

from index.pdf.lines import Line

BAND = 0.10  # top and bottom share of the page height
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:pagina|page|blad|p\.)\s*)?\d{1,4}"
    r"(?:\s*(?:/|van|of|\|)\s*\d{1,4})?(?:\s*[-–—])?$",
    re.I,
)
_STAMP_TOP = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4},?\s+\d{1,2}[:.]\d{2}")
_STAMP_FOOT = re.compile(r"(?:https?://|file://|www\.)\S*.*\s\d{1,4}\s*/\s*\d{1,4}$|^(?:https?|file)://\S+$")
_NOTE = re.compile(r"^\d{1,3}\s+\w")  # a footnote's opening, not a header
_LETTER_LABELS = re.compile(
    r"^(?:datum|kenmerk|ons kenmerk|uw kenmerk|onze referentie|uw referentie|"
    r"bijlage\(?n?\)?|contactpersoon|behandeld door|doorkiesnummer|pagina \d+ van \d+)$",
    re.I,
)


def key(text: str) -> str:
    """A line's text for recurrence: lower case, digits and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _in_band(line: Line, height: float) -> bool:
    return line.top < BAND * height or line.bottom > (1 - BAND) * height


def _apart(line: Line, others: list[Line], body_size: float) -> bool:
    """Separated from the nearest other line by more than a line's height."""
    gaps = [
        max(o.top - line.bottom, line.top - o.bottom)
        for o in others
        # a line on the same row (the date left of a centred title) is no neighbour
        if o is not line and min(o.bottom, line.bottom) - max(o.top, line.top) <= 0
    ]
    return not gaps or min(gaps) > 0.8 * body_size


def _outermost(line: Line, lines: list[Line]) -> bool:
    """The topmost or the bottommost line of its page."""
    return line.top <= min(o.top for o in lines) or line.bottom >= max(o.bottom for o in lines)


def find_furniture(
    pages: list[list[Line]], heights: list[float], body_size: float
) -> list[set[int]]:
    """For each page, the indexes of its lines that are furniture."""
    seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for p, lines in enumerate(pages):
        for line in lines:
            if line.table_rows is None:
                seen[key(line.text)].append((p, line.top))

    def recurs(line: Line, p: int, tolerance: float) -> bool:
        return any(
            q != p and abs(top - line.top) <= tolerance for q, top in seen[key(line.text)]
        )

    out: list[set[int]] = []
    for p, lines in enumerate(pages):
        drop: set[int] = set()
        height = heights[p]
        for i, line in enumerate(lines):
            if line.table_rows is not None:
                continue
            text = line.text.strip()
            band = _in_band(line, height)
            other_size = abs(line.size - body_size) >= 1.0
            if band and (_PAGE_NUMBER.match(text) or _STAMP_TOP.match(text) or _STAMP_FOOT.search(text)):
                drop.add(i)
            elif band and recurs(line, p, 6.0) and (other_size or _apart(line, lines, body_size)):
                drop.add(i)
            elif line.side and recurs(line, p, 12.0):
                drop.add(i)
            elif _LETTER_LABELS.match(text) and recurs(line, p, 12.0):
                drop.add(i)
            elif band and line.size <= body_size - 0.5 and _apart(line, lines, body_size) \
                    and _outermost(line, lines) and not (line.lead_marker or _NOTE.match(text)):
                drop.add(i)
        out.append(drop)
    return out

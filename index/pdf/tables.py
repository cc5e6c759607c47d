"""Ruled tables: one line of text per table row, "kolom: waarde; ...".

pdfplumber finds tables from the lines and rectangles drawn around their
cells. A table of at least two rows and two columns becomes one text row per
body row, each cell named by its column header ("Jaar: 2024; Bedrag: 12,5
miljoen"), so a number in a table can be found and cited with what it
means. The words inside the table are taken out of the page's running text;
the table takes their place in the reading order.

pdfplumber's search for cells takes time that grows with the square of the
points where ruling lines cross: a page ruled as a 200 by 200 grid (a few
kilobytes of PDF) takes over a minute. So the lines are merged first, as
pdfplumber does, and a page where more than ``MAX_PAGE_CROSSINGS`` of them
could cross is read without looking for tables, as is a page that draws more
than ``MAX_RULING_OBJECTS`` lines and rectangles; a document stops looking
once its pages together had ``MAX_DOCUMENT_CROSSINGS``.
"""

from __future__ import annotations

import logging

from index.pdf.lines import Line
from index.readers.common import table_row_texts
from index.pdf.words import Word

log = logging.getLogger(__name__)

# About 0.7 s of pdfplumber's cell search; a ruled table of 60 rows and 10 columns has 671.
MAX_PAGE_CROSSINGS = 4_000
MAX_DOCUMENT_CROSSINGS = 100_000
# A page drawing more lines and rectangles than this is a chart or a drawing: merging them
# into ruling lines would cost more memory than the page itself (four edges a rectangle).
MAX_RULING_OBJECTS = 10_000


class TableSearch:
    """The crossings of ruling lines a document may still search for tables."""

    def __init__(self, total: int = MAX_DOCUMENT_CROSSINGS):
        self.left = total

    def allows(self, page) -> bool:
        """Whether to search this pdfplumber page: its merged ruling lines cross few enough times."""
        from pdfplumber.table import TableFinder, TableSettings

        class _Ruling(TableFinder):
            """pdfplumber's first step only: the page's ruling lines, merged."""

            def __init__(self, page):
                self.page = page
                self.settings = TableSettings.resolve(None)
                self.edges = self.get_edges()

        if len(page.rects) + len(page.lines) + len(page.curves) > MAX_RULING_OBJECTS:
            log.debug("page %s: too many lines and shapes for tables", page.page_number)
            return False
        edges = _Ruling(page).edges
        horizontal = sum(1 for e in edges if e["orientation"] == "h")
        crossings = horizontal * (len(edges) - horizontal)
        if crossings > min(MAX_PAGE_CROSSINGS, self.left):
            log.debug("page %s: %d crossings of ruling lines, tables not searched", page.page_number, crossings)
            return False
        self.left -= crossings
        return True


def take_tables(page, words: list[Word], number: int,
                search: TableSearch | None = None) -> tuple[list[Word], list[Line]]:
    """The page's words outside tables, and one pseudo-line per table; `search` bounds the work."""
    if not (page.rects or page.lines or page.curves):
        return words, []  # no ruling drawn: nothing to find, and the search is slow
    try:
        if search is not None and not search.allows(page):
            return words, []
        found = page.find_tables()
    except Exception:  # noqa: BLE001 - a table we cannot parse stays running text
        return words, []
    tables: list[Line] = []
    for table in found:
        try:
            rows = table.extract()
        except Exception:  # noqa: BLE001
            continue
        if len(rows) < 2 or max((len(r) for r in rows), default=0) < 2:
            continue
        x0, top, x1, bottom = table.bbox
        inside = [
            w for w in words
            if w.x0 >= x0 - 1 and w.x1 <= x1 + 1 and w.top >= top - 1 and w.bottom <= bottom + 1
        ]
        texts = table_row_texts(rows)
        if not inside or not texts:
            continue
        ids = {id(w) for w in inside}
        words = [w for w in words if id(w) not in ids]
        line = Line(inside, number)
        line.table_rows = texts
        tables.append(line)
    return words, tables

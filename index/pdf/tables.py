"""Ruled tables: one line of text per table row, "kolom: waarde; ...".

pdfplumber finds tables from the lines and rectangles drawn around their
cells. A table of at least two rows and two columns becomes one text row per
body row, each cell named by its column header ("Jaar: 2024; Bedrag: 12,5
miljoen"), so a number in a table can be found and cited with what it
means. The words inside the table are taken out of the page's running text;
the table takes their place in the reading order.
"""

from __future__ import annotations

from index.pdf.lines import Line
from index.pdf.words import Word


def _cell(value) -> str:
    return " ".join(str(value or "").split())


def row_texts(rows: list[list]) -> list[str]:
    """Table rows as text: the header names every cell of the rows below it."""
    rows = [[_cell(c) for c in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    if len(rows) == 1:
        return ["; ".join(c for c in rows[0] if c)]
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


def take_tables(page, words: list[Word], number: int) -> tuple[list[Word], list[Line]]:
    """The page's words outside tables, and one pseudo-line per table."""
    if not (page.rects or page.lines or page.curves):
        return words, []  # no ruling drawn: nothing to find, and the search is slow
    try:
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
        texts = row_texts(rows)
        if not inside or not texts:
            continue
        ids = {id(w) for w in inside}
        words = [w for w in words if id(w) not in ids]
        line = Line(inside, number)
        line.table_rows = texts
        tables.append(line)
    return words, tables

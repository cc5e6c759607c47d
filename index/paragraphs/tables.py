"""Stage 1b, pipe tables: a Markdown table is read row by row, as "kolom: waarde".

A GitHub-flavoured Markdown table is a header line of cells between pipes,
a delimiter line ("|---|:--:|") and body lines of cells. Read as text, its
rows were glued to the paragraph before them with every pipe and dash kept.
PDF, Word and HTML tables are read row by row with the header naming each
cell (`index.readers.common.table_row_texts`); a Markdown table is read the
same way, so a number in it is found and quoted with what it means:
"Jaar: 2024; Meldingen: 1.530". Unlike those readers, a Markdown file *is*
the document text, so a row's piece is assembled from the source's own
characters: the header cell's name, then the row's cell, each character
keeping its offset (the separators take the offset of the pipe they stand
for). A row's citation thus spans its header line to its own line.
"""

from __future__ import annotations

import re

from .lines import Line
from .pieces import Piece, clean_segment

# The delimiter line: cells of at least three dashes, optionally aligned by colons.
DELIMITER = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
# A cell boundary: a pipe not escaped by a backslash.
_PIPE = re.compile(r"(?<!\\)\|")


def cell_spans(ln: Line) -> list[tuple[int, int]]:
    """The source spans of a table line's cells, outer pipes left out, each cell stripped."""
    bounds = [ln.start - 1] + [ln.start + m.start() for m in _PIPE.finditer(ln.text)] + [ln.end]
    text = ln.text
    spans = []
    for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
        lo, hi = a + 1 - ln.start, b - ln.start
        if (k == 0 and lo == hi) or (k == len(bounds) - 2 and lo == hi):
            continue  # the empty outside of an outer pipe
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        spans.append((ln.start + lo, ln.start + hi))
    return spans


def mark_pipe_tables(lines: list[Line]) -> None:
    """Mark the lines of each pipe table: "pipehead", "pipedelim", "piperow".

    A table is a line holding a pipe directly followed (no blank line) by a
    delimiter line with as many cells; its rows are the lines after it that
    hold a pipe, up to a blank line or a line without one. Only a line of
    plain text starts one (not a heading or a list item); the caller leaves
    out the lines of code fences, where a table is code.
    """
    k = 0
    while k + 1 < len(lines):
        head, delim = lines[k], lines[k + 1]
        if (head.kind == "text" and "|" in head.text and delim.no == head.no + 1
                and DELIMITER.match(delim.text) and len(_PIPE.split(delim.text.strip("|"))) == len(cell_spans(head))):
            head.kind, delim.kind = "pipehead", "pipedelim"
            k += 2
            while k < len(lines) and lines[k].no == lines[k - 1].no + 1 and "|" in lines[k].text:
                lines[k].kind = "piperow"
                k += 1
            continue
        k += 1


def row_piece(text: str, head: Line | None, row: Line, fn_numbers: frozenset[str]) -> Piece:
    """A body row as "kolom: waarde; kolom: waarde", every character at its source offset.

    Empty cells are left out; a cell without a header name (a row longer than
    its header, or an empty header cell) is given as its value alone.
    """
    names = [clean_segment(text, a, b, fn_numbers) for a, b in cell_spans(head)] if head else []
    out = Piece()
    for k, (a, b) in enumerate(cell_spans(row)):
        value = clean_segment(text, a, b, fn_numbers)
        if not value.text.strip():
            continue
        if out.chars:
            out.add(";", a - 1)
            out.add(" ", a - 1)
        name = names[k] if k < len(names) else None
        if name is not None and name.text.strip():
            out.extend(name)
            out.add(":", name.offs[-1])
            out.add(" ", name.offs[-1])
        out.extend(value)
    return out

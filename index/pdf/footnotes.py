"""Footnotes: numbered lines in a smaller font at the foot of a page.

Walking up from the last line of a page, lines in a font clearly smaller
than the body (at most ``SMALL`` of it) form the footnote area, provided the
topmost of them opens with a number (a raised marker, or digits followed by
text), it starts in the lower part of the page, and it is the smaller part
of the page's lines. Each line that opens with a number starts a footnote; the lines below
it continue it. The footnotes leave the page's running text, so they are
never spliced into a paragraph that runs on to the next page; the block stage
places each one after the paragraph that holds its marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.paragraphs.common import SUP_TRANS, SUPERSCRIPT
from index.pdf.lines import Line

SMALL = 0.9
LOWER = 0.4  # the footnote area starts below this share of the page height
# "3 Zie ...", "3. Zie ...", or a superscript character set as text ("³ Zie ...", "³Zie ...").
_NUMBER = re.compile(r"^(?:(\d{1,3})[.)]?\s+|([" + SUPERSCRIPT + r"]{1,3})\s*)(?=\S)")


@dataclass
class Footnote:
    number: str
    page: int
    lines: list[Line] = field(default_factory=list)


def _opens(line: Line) -> str | None:
    """The number a footnote line opens with, or None."""
    if line.lead_marker:
        return line.lead_marker
    m = _NUMBER.match(line.text)
    return (m.group(1) or m.group(2).translate(SUP_TRANS)) if m else None


def split_footnotes(
    lines: list[Line], body_size: float, height: float
) -> tuple[list[Line], list[Footnote]]:
    """A page's body lines and its footnotes (see the module docstring)."""
    k = len(lines)
    while k > 0:
        line = lines[k - 1]
        if line.table_rows is not None or line.size > SMALL * body_size:
            break
        k -= 1
    area = lines[k:]
    # the area must start with a numbered line, and body text must be above it
    while area and _opens(area[0]) is None:
        area = area[1:]
        k += 1
    # a page set in a small font is no footnote area: it must sit in the lower
    # part of the page and be the smaller part of it
    if not area or k == 0 or area[0].top < LOWER * height or len(area) > len(lines) - len(area):
        return lines, []
    notes: list[Footnote] = []
    for line in area:
        number = _opens(line)
        if number is not None or not notes:
            notes.append(Footnote(number or "", line.page))
        notes[-1].lines.append(line)
    return lines[:k], notes


def note_text(note: Footnote) -> str:
    """The footnote's text with its number in front: "3 Zie de bijlage."."""
    parts = []
    for i, line in enumerate(note.lines):
        text = line.text
        if i == 0 and not line.lead_marker:
            text = _NUMBER.sub("", text, count=1)
        parts.append(text)
    body = " ".join(" ".join(parts).split())
    return f"{note.number} {body}".strip()

"""Where footnote markers stand in a document's text, found in one pass.

A marker of footnote n is n (or its superscript) glued to the end of a word
or after closing punctuation, or an inline "[footnoteRef:n]" or Markdown "[^n]". Looking each
note's marker up with its own regular expression over the text before the
note costs a pass over the document per footnote; `MarkerIndex` scans once,
remembers every marker's position by its number, and answers "the markers of
n before offset x" by bisection -- the same positions the per-note search
finds (see `before`).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .paragraphs.common import NOT_A_POWER

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPTS)
# Glued to a letter, a closing quote or bracket, or a full stop or comma after a letter:
# "knelpunt.1", but not the "1" of "art. 3.1" or "€ 1,1".
_AFTER = r"(?:(?<=[^\W\d_])|(?<=[’')\]])|(?<=[^\W\d_’')\]][.,]))"
_END = r"(?=[\s,.;:)!?]|$)"
_ANY = re.compile(rf"{_AFTER}(\d+){_END}|{_AFTER}{NOT_A_POWER}([{SUPERSCRIPTS}]+){_END}|\[(?:footnoteRef:|\^)(\d+)\](?!:)")
_LONGEST = len("[footnoteRef:]") + 8  # no marker of a footnote number is longer


def marker_pattern(number: str) -> re.Pattern:
    """Where footnote `number` is referenced in the source text: glued to a word, "[footnoteRef:n]", superscript."""
    superscript = number.translate(_TO_SUPERSCRIPT)
    return re.compile(
        rf"{_AFTER}(?:{number}|{NOT_A_POWER}{superscript}){_END}"
        rf"|\[(?:footnoteRef:|\^){number}\](?!:)")


class MarkerIndex:
    """The positions of all footnote markers of one text, by the marker's text."""

    def __init__(self, source: str):
        self.source = source
        self._at: dict[str, list[int]] = {}
        for m in _ANY.finditer(source):
            digits, superscript, reference = m.groups()
            if superscript is not None:
                # Within a run of superscripts every suffix is a marker as well
                # ("¹²" is marker 12, and "²" is preceded by a word character).
                for k in range(len(superscript)):
                    self._add(superscript[k:], m.start() + k, m.start() + len(superscript))
            else:
                self._add(digits if digits is not None else ("[", reference), m.start(), m.end())

    def _add(self, key, start: int, end: int) -> None:
        self._at.setdefault(key, []).append((start, end))

    def before(self, number: str, end: int) -> list[int]:
        """Starts of the markers of `number` in source[:end], in order: what
        `marker_pattern(number).finditer(source, 0, end)` finds."""
        found: list[tuple[int, int]] = []
        for key in {number, number.translate(_TO_SUPERSCRIPT), ("[", number)}:
            spans = self._at.get(key, [])
            found.extend(spans[:bisect_left(spans, (end, end + 1))])
        starts = sorted({start for start, stop in found if stop <= end})
        # A search that stops at `end` also sees a marker whose end is `end` itself
        # even where the character after it is not an end of a marker.
        window = max(0, end - _LONGEST)
        for m in marker_pattern(number).finditer(self.source, window, end):
            if m.end() == end and m.start() not in starts:
                starts.append(m.start())
        return sorted(starts)

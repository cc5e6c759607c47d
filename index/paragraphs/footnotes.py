"""Stage 3, footnotes: notes become units of their own, never body text.

* PDF footnote blocks: after a page break, a run of lines "1 Zo duwt ...",
  numbered in sequence from 1 over the whole document, whose number also
  occurs glued to a word earlier in the text (the marker).
* Lines opening with superscript numbers ("¹ Zie ...").
* Inline definitions "[1: ...]", cut out of the line that holds them.

Each note keeps its number in front ("4 Dakloosheid in Nederland ...").
Notes under 8 words are grouped with a neighbouring note of the same block
(`group_small_footnotes`); inline definitions stay apart.
"""

from __future__ import annotations

import re

from .common import (
    FOOTNOTE_LINE, INLINE_FN_DEF, MD_FOOTNOTE_LINE, SUP_FOOTNOTE_LINE, SUP_TRANS, URL_LINE,
    ends_sentence, is_lower_start, is_upper_start, word_list,
)
from .lines import Line
from .pieces import Piece, Unit, clean_segment, normalize

class _FirstMarker:
    """Whether the marker of a footnote number (the number glued to a word) occurs before an offset.

    The first marker of each number is searched once; "a marker in
    text[:offset]" is then "the first one ends before offset", or one ends
    exactly at it.
    """

    def __init__(self, text: str):
        self.text = text
        self._end: dict[str, int | None] = {}

    def before(self, number: str, offset: int) -> bool:
        """What re.search(marker, text[:offset]) would say, without copying and searching text[:offset]."""
        if number not in self._end:
            found = re.search(r"[^\s\d]" + number + r"(?!\d)", self.text)
            self._end[number] = found.end() if found else None
        end = self._end[number]
        if end is not None and end < offset:
            return True
        # a marker ending at `offset` itself, which text[:offset] would not see continued
        start = offset - len(number) - 1
        return start >= 0 and re.fullmatch(r"[^\s\d]" + number, self.text[start:offset]) is not None


def find_footnotes(
    text: str, lines: list[Line], blank_before: dict[int, int]
) -> tuple[set[int], list[list[Line]], dict[int, int]]:
    """PDF footnote blocks: returns line numbers used, footnotes, block ids."""
    used: set[int] = set()
    notes: list[list[Line]] = []
    block_of: dict[int, int] = {}
    first_marker = _FirstMarker(text)
    next_fn = 1
    block = -1
    i = 0
    n = len(lines)
    while i < n:
        ln = lines[i]
        m = FOOTNOTE_LINE.match(ln.text)
        starts = (
            m is not None
            and int(m.group(1)) == next_fn
            and (blank_before.get(ln.no, 0) >= 1 or i == 0)
            and is_upper_start(ln.text[m.end() :])
            and first_marker.before(m.group(1), ln.start)
        )
        if not starts:
            i += 1
            continue
        block += 1
        while i < n:
            ln = lines[i]
            m = FOOTNOTE_LINE.match(ln.text)
            if m is None or int(m.group(1)) != next_fn:
                break
            note = [ln]
            used.add(ln.no)
            next_fn += 1
            i += 1
            while i < n:
                c = lines[i]
                m2 = FOOTNOTE_LINE.match(c.text)
                if m2 and int(m2.group(1)) == next_fn:
                    break
                if c.lead or URL_LINE.match(c.text):
                    break
                if ends_sentence(note[-1].text) and not is_lower_start(c.text):
                    break
                note.append(c)
                used.add(c.no)
                i += 1
            notes.append(note)
            block_of[len(notes) - 1] = block
        # the block is over; continue scanning for the next block
    return used, notes, block_of



def cut_inline_notes(text: str, ln: Line, fn_numbers: frozenset[str], inline_notes: list[Unit]) -> int:
    """Cut inline definitions "[1: ...]" out of line `ln` as footnote units.

    Returns where the line's body text ends (the first definition's start).
    """
    seg_end = ln.end
    if "[" not in ln.text:
        return seg_end
    for m in INLINE_FN_DEF.finditer(ln.text):
        seg_end = min(seg_end, ln.start + m.start())
        body = normalize(clean_segment(text, ln.start + m.start(2), ln.start + m.end(2), fn_numbers))
        num = Piece()
        for off in range(ln.start + m.start(1), ln.start + m.end(1)):
            num.add(text[off], off)
        num.add(" ", ln.start + m.start(2))
        num.extend(body)
        fu = Unit([ln], normalize(num), kind="footnote")
        fu.fn_group = -2 - len(inline_notes)
        inline_notes.append(fu)
    return seg_end


def footnote_units(
    text: str, fn_notes: list[list[Line]], fn_block: dict[int, int], fn_numbers: frozenset[str]
) -> list[Unit]:
    """The notes of the footnote blocks as units, hyphenated line breaks undone."""
    fn_units: list[Unit] = []
    for idx, note in enumerate(fn_notes):
        p = Piece()
        for k, ln in enumerate(note):
            if k:
                a = note[k - 1]
                if a.text.endswith("-") and len(a.text) > 1 and a.text[-2].isalpha() and is_lower_start(ln.text):
                    if p.chars and p.chars[-1] == "-":
                        p.chars.pop()
                        p.offs.pop()
                else:
                    p.add(" ", ln.start)
            p.extend(clean_segment(text, ln.start, ln.end, fn_numbers))
        u = Unit(list(note), p, kind="footnote")
        u.fn_group = fn_block[idx]
        fn_units.append(u)
    return fn_units


def superscript_footnotes(units: list[Unit], text: str) -> None:
    """Units opening with a superscript number ("¹ Zie ...") or a Markdown footnote
    label ("[^1]: Zie ...") are footnotes, their number restored as digits in front."""
    for u in units:
        m = SUP_FOOTNOTE_LINE.match(u.lines[0].text) or MD_FOOTNOTE_LINE.match(u.lines[0].text)
        if m and u.kind == "paragraph":
            u.kind = "footnote"
            u.fn_group = -100
            first = u.lines[0].start
            number = first + m.start(1)
            digits = Piece()
            for off in range(number, number + len(m.group(1))):
                digits.add(text[off].translate(SUP_TRANS), off)
            body = Piece(
                [c for c, o in zip(u.piece.chars, u.piece.offs) if o >= first + m.end()],
                [o for o in u.piece.offs if o >= first + m.end()],
            )
            digits.add(" ", first + m.end() - 1)
            digits.extend(body)
            u.piece = digits


def group_small_footnotes(units: list[Unit]) -> None:
    """Notes under 8 words join a neighbour of their block: the note before, or the next one if first.

    One pass per block: a small note joins the last kept one; at the start of a
    block it carries over into the next note, which is then looked at again.
    """
    notes = [u for u in units if u.kind == "footnote"]
    by_group: dict[int, list[Unit]] = {}
    for u in notes:
        by_group.setdefault(u.fn_group, []).append(u)
    for group, members in by_group.items():
        if group <= -2 and group != -100:
            continue  # inline "[n: ...]" notes stay with their paragraph
        kept: list[Unit] = []
        for k, u in enumerate(members):
            left = len(kept) + len(members) - k  # the kept notes, this one and those after it
            if left <= 1 or len(word_list(u.text)) >= 8:
                kept.append(u)
            elif kept:
                tgt = kept[-1]
                tgt.piece.add(" ", u.start)
                tgt.piece.extend(u.piece)
                tgt.lines += u.lines
                u.piece = Piece()
            else:  # the first of its block: it becomes the start of the next note
                tgt = members[k + 1]
                u.piece.add(" ", tgt.start)
                u.piece.extend(tgt.piece)
                tgt.piece = u.piece
                tgt.lines = u.lines + tgt.lines
                u.piece = Piece()

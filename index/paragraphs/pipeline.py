"""The stages of paragraph reconstruction in order (the package docstring says what each decides)."""

from __future__ import annotations

from ..types import Paragraph
from .common import FOOTNOTE_LINE
from .footnotes import find_footnotes, footnote_units, group_small_footnotes, superscript_footnotes
from .joining import join_lines, measure_text
from .lines import classify_lines, read_lines
from .pieces import normalize
from .tables import mark_pipe_tables
from .structure import (
    assign_headings, mark_headings, mark_year_subtitles, merge_bylines, merge_lists, strip_bullet_markers,
)
from .vocabulary import Vocabulary


def reconstruct_mapped(text: str) -> list[tuple[Paragraph, list[int]]]:
    """Like `reconstruct`, with each paragraph's per-character source offsets."""
    return [(p, offs) for p, offs, _ in _Last.take(text)]


def reconstruct(text: str) -> list[Paragraph]:
    """Turn raw (PDF-extracted or plain) text into real paragraphs."""
    return [p for p, _, _ in _Last.keep(text)]


class _Last:
    """The reconstruction of the last text whose title was guessed, until it is chunked.

    A reader guesses the title from the whole text (`reconstruct`), and the
    chunker then reconstructs the same text again (`reconstruct_mapped`): the
    second time takes the first one's result instead, and releases it. The
    pair is one tuple, read and replaced whole; the result is never changed.
    """

    last: tuple[str, list] | None = None

    @classmethod
    def keep(cls, text: str) -> list:
        last = cls.last
        if last is not None and last[0] == text:
            return last[1]
        cls.last = None  # the old one goes before the new one is made
        result = _reconstruct(text)
        cls.last = (text, result)
        return result

    @classmethod
    def take(cls, text: str) -> list:
        last = cls.last
        if last is not None and last[0] == text:
            cls.last = None
            return last[1]
        return _reconstruct(text)


def _reconstruct(text: str) -> list[tuple[Paragraph, list[int], str]]:
    """The stages in order (see the module docstring)."""
    if not text or not text.strip():
        return []
    lines, blank_before, blank_after = read_lines(text)
    if not lines:
        return []
    vocab = Vocabulary(" ".join(ln.text for ln in lines).lower())
    fenced = classify_lines(lines)
    mark_pipe_tables([ln for ln in lines if ln.no not in fenced])

    fn_used, fn_notes, fn_block = find_footnotes(text, lines, blank_before)
    fn_numbers = frozenset(FOOTNOTE_LINE.match(n[0].text).group(1) for n in fn_notes)

    st = measure_text([ln for ln in lines if ln.no not in fn_used and not ln.kind.startswith("pipe")], blank_after)
    units, inline_notes = join_lines(text, lines, blank_before, fn_used, fn_numbers, st, vocab)
    fn_units = footnote_units(text, fn_notes, fn_block, fn_numbers)
    superscript_footnotes(units, text)

    all_units = units + fn_units + inline_notes
    for u in all_units:
        u.piece = normalize(u.piece)
    all_units = [u for u in all_units if u.piece.chars]
    all_units.sort(key=lambda u: (u.start, u.end))
    strip_bullet_markers(all_units)
    group_small_footnotes(all_units)
    all_units = [u for u in all_units if u.piece.chars]

    mark_headings(all_units, st)
    mark_year_subtitles(all_units)
    all_units = merge_lists(all_units)
    all_units = merge_bylines(all_units)
    return assign_headings(all_units)

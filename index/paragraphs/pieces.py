"""Cleaned text that remembers, for every character, its offset in the source.

Every stage builds paragraphs as `Piece`s, so a paragraph's text can always
be cited back to the exact characters of the document. `clean_segment`
removes markup while copying (footnote references, Markdown links and
emphasis, escapes, superscript markers, known footnote numbers glued to a
word) and never glues two words together; `normalize` collapses whitespace.
A `Unit` is a paragraph candidate: its lines, its piece and what it is.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from itertools import compress

from .common import FN_REF, MD_LINK, NOT_A_POWER, SUPERSCRIPT
from .lines import Line

# "*nadruk*", "**vet**", "***beide***": a run of up to three asterisks before or after a word.
_EMPHASIS = re.compile(r"(?<![\w*])\*{1,3}(?=[^\s*])|(?<=[^\s*])\*{1,3}(?![\w*])")
_ESCAPE = re.compile(r"\\(?=[()\[\]*_#])")
_SUPERSCRIPT_MARKER = re.compile(r"(?<=[^\s" + SUPERSCRIPT + r"])" + NOT_A_POWER + "[" + SUPERSCRIPT + r"]+(?!\w)")
_GLUED_NUMBER = re.compile(r"(?:(?<=[a-zà-ÿ’')])|(?<=[a-zà-ÿ]\.))(\d{1,2})(?=[\s,.;:)]|$)")
_DROPPED_RUN = re.compile(rb"\x00+")
_MARKUP = re.compile(r"[\[*\\" + SUPERSCRIPT + r"]")
_DIGIT = re.compile(r"\d")
# What `normalize` collapses: whitespace, and the invisible zero-width space and BOM.
_SPACE_RUN = re.compile(r"[\s\u200b\ufeff]+")
_ODD_SPACE = re.compile(r"[^\S ]|[\u200b\ufeff]|  |^ | $")


def offsets(values=()) -> array:
    """Source offsets, compactly: 8 bytes each instead of a Python int in a list."""
    return values if isinstance(values, array) else array("q", values)


class Piece:
    """Cleaned text with, for every character, its offset in the source."""

    __slots__ = ("chars", "offs")

    def __init__(self, chars: list[str] | None = None, offs=()):
        self.chars: list[str] = chars if chars is not None else []
        self.offs: array = offsets(offs)

    def add(self, ch: str, off: int) -> None:
        self.chars.append(ch)
        self.offs.append(off)

    def extend(self, other: "Piece") -> None:
        self.chars.extend(other.chars)
        self.offs.extend(other.offs)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def __eq__(self, other) -> bool:
        return isinstance(other, Piece) and self.chars == other.chars and self.offs == other.offs

    def __repr__(self) -> str:
        return f"Piece({self.text!r})"


def _dropped(s: str, fn_numbers: frozenset[str]) -> list[tuple[int, int]]:
    """The spans of s that are markup: footnote references, link syntax, emphasis, escapes, markers."""
    if not (_MARKUP.search(s) or (fn_numbers and _DIGIT.search(s))):
        return []  # nothing any of the patterns below could start with
    spans = [m.span() for m in FN_REF.finditer(s)]
    for m in MD_LINK.finditer(s):
        spans += [(m.start(), m.start(1)), (m.end(1), m.end())]
    spans += [m.span() for m in _EMPHASIS.finditer(s)]  # "*emphasis*" asterisks
    spans += [m.span() for m in _ESCAPE.finditer(s)]  # "\\(" escapes
    # superscript reference markers after a word or punctuation
    spans += [m.span() for m in _SUPERSCRIPT_MARKER.finditer(s)]
    # digits glued to a word that are known footnote numbers: "verlies1,"
    # ("zorg.9 Ook" -> keep the period, drop the digits)
    if fn_numbers:
        spans += [m.span(1) for m in _GLUED_NUMBER.finditer(s) if m.group(1) in fn_numbers]
    return spans


def clean_segment(text: str, start: int, end: int, fn_numbers: frozenset[str]) -> Piece:
    """Copy text[start:end] with markup removed, keeping source offsets.

    Works on whole runs (slices, `compress`), not character by character: a
    line without markup is copied as it is.
    """
    s = text[start:end]
    spans = [(a, b) for a, b in _dropped(s, fn_numbers) if a < b]
    if not spans:
        return Piece(list(s), array("q", range(start, end)))
    keep = bytearray(b"\x01") * len(s)
    for a, b in spans:
        keep[a:b] = bytes(b - a)
    chars = list(s)
    # a removed run between two word characters leaves a space, so that
    # removing markup never glues two words together
    for i, j in [run.span() for run in _DROPPED_RUN.finditer(keep)]:
        if i > 0 and j < len(s) and s[i - 1].isalnum() and s[j].isalnum():
            keep[i], chars[i] = 1, " "
    return Piece(list(compress(chars, keep)), array("q", compress(range(start, end), keep)))


def normalize(p: Piece) -> Piece:
    """Collapse whitespace to single spaces and strip the ends (a piece that needs neither is returned as is).

    A run of whitespace becomes one space at the offset of the run's first
    character; the words between runs are copied as slices.
    """
    text = p.text
    if len(text) != len(p.chars):  # an entry of more than one character: go one by one
        return _normalize_each(p)
    if not _ODD_SPACE.search(text):
        return p
    chars, offs = p.chars, p.offs
    out = Piece()
    word_start = 0
    for run in _SPACE_RUN.finditer(text):
        a, b = run.span()
        if a > word_start:
            out.chars.extend(chars[word_start:a])
            out.offs.extend(offs[word_start:a])
        if out.chars and b < len(text):
            out.add(" ", offs[a])
        word_start = b
    if word_start < len(text):
        out.chars.extend(chars[word_start:])
        out.offs.extend(offs[word_start:])
    return out


def _normalize_each(p: Piece) -> Piece:
    out = Piece()
    pending_space = None
    for ch, off in zip(p.chars, p.offs):
        if ch.isspace() or ch in "\u00a0\u200b\ufeff":
            if out.chars:
                pending_space = off if pending_space is None else pending_space
            continue
        if pending_space is not None:
            out.add(" ", pending_space)
            pending_space = None
        out.add(ch, off)
    return out


# --------------------------------------------------------------------------
# Units (paragraph candidates)


@dataclass
class Unit:
    lines: list[Line]
    piece: Piece
    kind: str = "paragraph"  # paragraph, bullet, heading, footnote, byline, caption
    marker: str = ""  # bullet/numbering marker text
    level: int = 9  # heading level
    lead_in: str | None = None  # for bullets of a long list
    fn_group: int = -1  # footnote block id

    @property
    def text(self) -> str:
        return self.piece.text

    @property
    def start(self) -> int:
        return self.piece.offs[0]

    @property
    def end(self) -> int:
        return self.piece.offs[-1] + 1

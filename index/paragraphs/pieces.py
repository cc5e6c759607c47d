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
from dataclasses import dataclass, field

from .common import FN_REF, MD_LINK, SUPERSCRIPT
from .lines import Line

@dataclass
class Piece:
    """Cleaned text with, for every character, its offset in the source."""

    chars: list[str] = field(default_factory=list)
    offs: list[int] = field(default_factory=list)

    def add(self, ch: str, off: int) -> None:
        self.chars.append(ch)
        self.offs.append(off)

    def extend(self, other: "Piece") -> None:
        self.chars.extend(other.chars)
        self.offs.extend(other.offs)

    @property
    def text(self) -> str:
        return "".join(self.chars)


def clean_segment(text: str, start: int, end: int, fn_numbers: frozenset[str]) -> Piece:
    """Copy text[start:end] with markup removed, keeping source offsets."""
    s = text[start:end]
    keep = [True] * len(s)
    repl: dict[int, str] = {}

    def drop(a: int, b: int) -> None:
        for i in range(a, b):
            keep[i] = False

    for m in FN_REF.finditer(s):
        drop(m.start(), m.end())
    for m in MD_LINK.finditer(s):
        drop(m.start(), m.start(1))
        drop(m.end(1), m.end())
    # "*emphasis*" asterisks and "\(" escapes
    for m in re.finditer(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", s):
        drop(m.start(), m.end())
    for m in re.finditer(r"\\(?=[()\[\]*_#])", s):
        drop(m.start(), m.end())
    # superscript reference markers after a word or punctuation
    for m in re.finditer(
        r"(?<=[^\s" + SUPERSCRIPT + r"])[" + SUPERSCRIPT + r"]+(?!\w)", s
    ):
        drop(m.start(), m.end())
    # digits glued to a word that are known footnote numbers: "verlies1,"
    if fn_numbers:
        for m in re.finditer(r"(?:(?<=[a-zà-ÿ’')])|(?<=[a-zà-ÿ]\.))(\d{1,2})(?=[\s,.;:)]|$)", s):
            if m.group(1) in fn_numbers:
                # "zorg.9 Ook" -> keep the period, drop the digits
                drop(m.start(1), m.end(1))
    # a removed run between two word characters leaves a space, so that
    # removing markup never glues two words together
    i = 0
    while i < len(s):
        if keep[i]:
            i += 1
            continue
        j = i
        while j < len(s) and not keep[j]:
            j += 1
        if i > 0 and j < len(s) and s[i - 1].isalnum() and s[j].isalnum():
            keep[i], repl[i] = True, " "
        i = j
    p = Piece()
    for i, ch in enumerate(s):
        if keep[i]:
            p.add(repl.get(i, ch), start + i)
    return p


def normalize(p: Piece) -> Piece:
    """Collapse whitespace to single spaces and strip the ends."""
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

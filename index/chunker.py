"""Documents into retrieval chunks: one chunk per real paragraph.

`chunk_document(doc)` reconstructs the document's paragraphs
(`index.paragraphs.reconstruct`) and turns them into `Chunk`s:

* Heading paragraphs are not chunks; they only give chunks their `heading`.
* Footnotes (kind "footnote") are chunks of their own: they never join a
  body paragraph, nor a body paragraph them. Each records the body sentence
  that carries its marker (`Chunk.context`, see `link_footnotes`), so an
  answer found in a footnote can be quoted with the sentence it explains.
* A chunk that holds only references -- links, e-mail addresses, "Zie ..." --
  gets kind "reference" (`is_reference_only`): it stays part of the document
  (the document view shows it) but says nothing a question can be answered
  with, so retrieval never returns it as a passage.
* Fragments too small to stand alone (fewer than `MIN_WORDS` words: a
  greeting, a photo credit, a page's dangling "bijvoorbeeld.", a signature)
  join a neighbour with the same heading: the previous one, or the next one if
  there is no previous one -- and always the next one when the fragment ends
  in "," or ":" (it leads into what follows, as "Met vriendelijke groet,"),
  or is a table's caption ("Tabel 6.1 Kernindicatoren": its first row).
  A fragment with no neighbour under its heading stays a chunk of its own.
* A paragraph longer than `max_tokens` is split at sentence boundaries
  (`index.sentences.sentence_spans`, Dutch Punkt) into pieces within the
  limit; a single sentence over the limit is split between words. All pieces
  keep the paragraph's number. A tiny last piece is folded back into the one
  before it when that stays within the limit.
* Paragraph numbers count the chunks' paragraphs 1..n in document order,
  without gaps.
* Every chunk's `start`/`end` covers its text in `doc.text` (first to last
  character); `line_start`/`line_end` are the lines of those characters,
  `page` is `doc.page_at(start)`. Chunk text consists only of source text
  (whitespace normalised, hyphenation undone, markup removed).

Token counting: pass `count_tokens` (e.g. the embedding model's tokenizer).
The default is an approximation for Dutch with a multilingual subword
tokenizer: ceil(max(words * 1.6, characters / 3.5)).
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from .footnote_markers import MarkerIndex
from .links import NOTE_NUMBER, is_reference_only
from .paragraphs import reconstruct_mapped
from .paragraphs.common import TABLE_CAPTION
from .sentences import sentence_spans
from .token_split import fits, pack
from .types import HEADING_SEPARATOR, Chunk, Document

# Bump on any change in behaviour: the index stores it and rebuilds on change.
CHUNKER_VERSION = "2026.6-captions"

MIN_WORDS = 8


def approx_tokens(text: str) -> int:
    """Default token estimate: ceil(max(words * 1.6, chars / 3.5))."""
    if not text:
        return 0
    return math.ceil(max(len(text.split()) * 1.6, len(text) / 3.5))


@dataclass
class _Unit:
    text: str
    offs: Sequence[int]  # source offset of each character of `text` (an array from the reconstruction)
    heading: str | None
    kind: str

    @property
    def words(self) -> int:
        return len(re.findall(r"\w+", self.text))


def note_number(text: str) -> str | None:
    """The number a footnote's text opens with ("3 30,6 duizend ..." -> "3")."""
    m = NOTE_NUMBER.match(text)
    return m.group(1) if m else None


def link_footnotes(source: str, units: list[_Unit]) -> dict[int, str]:
    """For each footnote unit (by position), the body sentence that carries its marker.

    A marker precedes its note in the source (same page, or an inline
    "[footnoteRef:n]" before "[n: ...]"): the last occurrence before the note
    that falls inside a body unit is taken. The sentence is an exact slice of
    that unit's text, as it appears in its chunk.
    """
    notes = [(position, note_number(note.text)) for position, note in enumerate(units)
             if note.kind == "footnote" and note.offs]
    notes = [(position, number) for position, number in notes if number is not None]
    if not notes:
        return {}
    markers = MarkerIndex(source)
    holders = _Holders([u for u in units if u.kind != "footnote" and u.offs])
    found: dict[int, str] = {}
    for position, number in notes:
        for marker in reversed(markers.before(number, units[position].offs[0])):
            # The character the marker is glued to: a superscript marker is no part of its
            # unit's text ("knelpunt.¹" ends the unit at the full stop).
            holder = holders.at(marker - 1)
            if holder is None:
                continue
            sentence = holders.sentence_at(holder, marker - 1)
            if sentence:
                found[position] = holders.text(holder, sentence)
            break
    return found


class _Holders:
    """The body units, looked up by a source offset, with their sentences worked out once each."""

    def __init__(self, body: list[_Unit]):
        self.body = body
        self.sorted = all(a.offs[0] <= b.offs[0] for a, b in zip(body, body[1:]))
        self.starts = [u.offs[0] for u in body]
        # ends_so_far[i]: the furthest end among body[0..i]; rises, so it can be bisected
        self.ends_so_far = list(accumulate((u.offs[-1] for u in body), max))
        self._sentences: dict[int, list[tuple[int, int]]] = {}
        self._sentence_ends: dict[int, list[int]] = {}
        self._ordered: dict[int, bool] = {}

    def at(self, offset: int) -> int | None:
        """The first body unit (in document order) whose span holds `offset`."""
        if not self.sorted:
            return next((i for i, u in enumerate(self.body) if u.offs[0] <= offset <= u.offs[-1]), None)
        # Of the units that start at or before `offset`, the first that ends at or after it.
        candidates = bisect_right(self.starts, offset)
        first = bisect_left(self.ends_so_far, offset, 0, candidates)
        return first if first < candidates else None

    def sentence_at(self, index: int, offset: int) -> tuple[int, int] | None:
        unit = self.body[index]
        if index not in self._ordered:
            self._ordered[index] = all(a <= b for a, b in zip(unit.offs, unit.offs[1:]))
            self._sentences[index] = sentence_spans(unit.text)
            self._sentence_ends[index] = [e for _, e in self._sentences[index]]
        if self._ordered[index]:
            at = min(bisect_left(unit.offs, offset), len(unit.offs) - 1)
        else:
            at = next((i for i, o in enumerate(unit.offs) if o >= offset), len(unit.offs) - 1)
        # the first sentence that ends at or after `at` (sentences come in order)
        first = bisect_left(self._sentence_ends[index], at)
        sentences = self._sentences[index]
        return sentences[first] if first < len(sentences) else None

    def text(self, index: int, span: tuple[int, int]) -> str:
        return self.body[index].text[span[0]:span[1]]


class _Merging:
    """A unit while small fragments join it: its text kept in parts, joined once at the end.

    Joining a fragment to a long unit costs the fragment, not the unit: the
    parts list and the offsets (copied once, the first time this unit grows)
    are extended in place, and the word count is a sum.
    """

    def __init__(self, unit: _Unit):
        self.parts = [unit.text]
        self.offs = unit.offs
        self.owned = False  # whether `offs` is this object's own list yet
        self.heading = unit.heading
        self.kind = unit.kind
        self.words = unit.words

    def absorb(self, other: _Merging) -> None:
        """self followed by other, joined by a space (self precedes other in the document)."""
        if not self.owned:
            self.offs, self.owned = self.offs[:], True
        self.parts.extend(other.parts)
        self.offs.append(other.offs[0])
        self.offs.extend(other.offs)
        self.words += other.words

    def tail(self) -> str:
        """The text without trailing whitespace, as far as its end is concerned."""
        for part in reversed(self.parts):
            if part.rstrip():
                return part.rstrip()
        return ""

    def unit(self) -> _Unit:
        return _Unit(" ".join(self.parts), self.offs, self.heading, self.kind)


def _next_ok(u: _Merging, after: _Merging | None, note: bool) -> bool:
    return after is not None and (after.kind == "footnote") == note and (
        after.heading == u.heading
        # a lead-in "...:" and the first item of its list (whose heading
        # is the lead-in's heading plus the lead-in itself)
        or (
            u.tail().endswith(":")
            and u.heading is not None
            and (after.heading or "").startswith(u.heading + HEADING_SEPARATOR)
        )
    )


def _merge_small(units: list[_Unit]) -> list[_Unit]:
    """Join fragments under MIN_WORDS to a neighbour (see the module docstring), in one pass.

    `done` holds the units before the one looked at, `items[following:]`
    those after it; a fragment joined to the one before is looked at again,
    as one joined to the one after is.
    """
    items = [_Merging(u) for u in units]
    done: list[_Merging] = []
    following = 1
    current = items[0] if items else None
    while current is not None:
        after = items[following] if following < len(items) else None
        if current.words >= MIN_WORDS or len(done) + len(items) - following == 0:
            done.append(current)
            current, following = after, following + 1
            continue
        note = current.kind == "footnote"
        before = done[-1] if done else None
        prev_ok = before is not None and before.heading == current.heading and (before.kind == "footnote") == note
        # a lead-in ("..., ", "...:") or a table's caption joins what it introduces
        leads_on = current.tail().endswith((",", ":")) or bool(TABLE_CAPTION.match(current.parts[0]))
        if _next_ok(current, after, note) and (leads_on or not prev_ok):
            current.absorb(after)
            following += 1
            continue  # the merged unit may still be small: look at it again
        if prev_ok:
            done.pop()
            before.absorb(current)
            current = before
            continue
        done.append(current)
        current, following = after, following + 1
    return [m.unit() for m in done]


def _split_long(u: _Unit, max_tokens: int, count) -> list[tuple[int, int]]:
    """Sentence-aligned pieces (offsets into u.text) within max_tokens."""
    text = u.text
    if fits(text, max_tokens, count):
        return [(0, len(text))]
    # Sentences over the limit are cut between words (by `pack`, where it meets them).
    pieces = pack(text, sentence_spans(text) or [(0, len(text))], max_tokens, count)
    if len(pieces) >= 2:
        last = text[pieces[-1][0] : pieces[-1][1]]
        if len(last.split()) < MIN_WORDS and fits(text[pieces[-2][0] : pieces[-1][1]], max_tokens, count):
            pieces[-2][1] = pieces[-1][1]
            pieces.pop()
    return [(s, e) for s, e in pieces]


def _line_numbers(text: str) -> Callable[[int], int]:
    """`Document.line_at` for many offsets: the newlines are found once and bisected."""
    newlines = array("q", (m.start() for m in re.finditer("\n", text)))
    return lambda offset: bisect_left(newlines, offset) + 1


def chunk_document(
    doc: Document,
    *,
    max_tokens: int = 480,
    count_tokens: Callable[[str], int] | None = None,
) -> list[Chunk]:
    """Cut a document into paragraph chunks (see the module docstring)."""
    count = count_tokens or approx_tokens
    units = [
        _Unit(p.text, offs, p.heading, p.kind)
        for p, offs in reconstruct_mapped(doc.text)
        if p.kind != "heading" and p.text
    ]
    units = _merge_small(units)
    contexts = link_footnotes(doc.text, units)
    ocr_pages = frozenset(getattr(doc, "ocr_pages", ()))  # PDF pages read from a scan
    line_at = _line_numbers(doc.text)
    chunks: list[Chunk] = []
    number = 0
    for position, u in enumerate(units):
        pieces = _split_long(u, max_tokens, count)
        number += 1
        for s, e in pieces:
            while s < e and u.text[s].isspace():
                s += 1
            while e > s and u.text[e - 1].isspace():
                e -= 1
            if s >= e:
                continue
            # min/max: a merged unit may wrap around a footnote block
            start = min(u.offs[s:e])
            end = max(u.offs[s:e]) + 1
            chunks.append(
                Chunk(
                    doc_id=doc.doc_id,
                    title=doc.title,
                    heading=u.heading,
                    paragraph=number,
                    text=u.text[s:e],
                    start=start,
                    end=end,
                    line_start=line_at(start),
                    line_end=line_at(end - 1),
                    page=doc.page_at(start),
                    page_end=doc.page_at(end - 1),
                    kind="reference" if is_reference_only(u.text[s:e]) else u.kind,
                    context=contexts.get(position),
                    ocr=bool(ocr_pages) and doc.page_at(start) in ocr_pages,
                )
            )
    return chunks

"""Documents into retrieval chunks: one chunk per real paragraph.

`chunk_document(doc)` reconstructs the document's paragraphs
(`index.paragraphs.reconstruct`) and turns them into `Chunk`s:

* Heading paragraphs are not chunks; they only give chunks their `heading`.
* Fragments too small to stand alone (fewer than `MIN_WORDS` words: a
  greeting, a photo credit, a page's dangling "bijvoorbeeld.", a signature)
  join a neighbour with the same heading: the previous one, or the next one if
  there is no previous one -- and always the next one when the fragment ends
  in "," or ":" (it leads into what follows, as "Met vriendelijke groet,").
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
from collections.abc import Callable
from dataclasses import dataclass

from .paragraphs import reconstruct_mapped
from .sentences import sentence_spans
from .types import Chunk, Document

# Bump on any change in behaviour: the index stores it and rebuilds on change.
CHUNKER_VERSION = "2026.1-paragraphs-1"

MIN_WORDS = 8


def approx_tokens(text: str) -> int:
    """Default token estimate: ceil(max(words * 1.6, chars / 3.5))."""
    if not text:
        return 0
    return math.ceil(max(len(text.split()) * 1.6, len(text) / 3.5))


@dataclass
class _Unit:
    text: str
    offs: list[int]  # source offset of each character of `text`
    heading: str | None
    kind: str

    @property
    def words(self) -> int:
        return len(re.findall(r"\w+", self.text))


def _join(a: _Unit, b: _Unit) -> _Unit:
    """a followed by b (a precedes b in the document)."""
    return _Unit(a.text + " " + b.text, a.offs + [b.offs[0]] + b.offs, a.heading, a.kind)


def _merge_small(units: list[_Unit]) -> list[_Unit]:
    units = list(units)
    i = 0
    while i < len(units):
        u = units[i]
        if u.words >= MIN_WORDS or len(units) == 1:
            i += 1
            continue
        prev_ok = i > 0 and units[i - 1].heading == u.heading
        leads_on = u.text.rstrip().endswith((",", ":"))
        next_ok = i + 1 < len(units) and (
            units[i + 1].heading == u.heading
            # a lead-in "...:" and the first item of its list (whose heading
            # is the lead-in's heading plus the lead-in itself)
            or (
                u.text.rstrip().endswith(":")
                and u.heading is not None
                and (units[i + 1].heading or "").startswith(u.heading + " › ")
            )
        )
        if next_ok and (leads_on or not prev_ok):
            units[i : i + 2] = [_join(u, units[i + 1])]
            # the merged unit may still be small: look at it again
            continue
        if prev_ok:
            units[i - 1 : i + 1] = [_join(units[i - 1], u)]
            i -= 1
            continue
        i += 1
    return units


def _word_pieces(text: str, s: int, e: int, max_tokens: int, count) -> list[tuple[int, int]]:
    """Split text[s:e] between words into pieces within max_tokens."""
    out: list[tuple[int, int]] = []
    words = [(m.start() + s, m.end() + s) for m in re.finditer(r"\S+", text[s:e])]
    a = 0
    while a < len(words):
        b = a + 1
        while b < len(words) and count(text[words[a][0] : words[b][1]]) <= max_tokens:
            b += 1
        out.append((words[a][0], words[b - 1][1]))
        a = b
    return out


def _split_long(u: _Unit, max_tokens: int, count) -> list[tuple[int, int]]:
    """Sentence-aligned pieces (offsets into u.text) within max_tokens."""
    text = u.text
    if count(text) <= max_tokens:
        return [(0, len(text))]
    sents: list[tuple[int, int]] = []
    for s, e in sentence_spans(text) or [(0, len(text))]:
        if count(text[s:e]) > max_tokens:
            sents.extend(_word_pieces(text, s, e, max_tokens, count))
        else:
            sents.append((s, e))
    pieces: list[list[int]] = []
    for s, e in sents:
        if pieces and count(text[pieces[-1][0] : e]) <= max_tokens:
            pieces[-1][1] = e
        else:
            pieces.append([s, e])
    if len(pieces) >= 2:
        last = text[pieces[-1][0] : pieces[-1][1]]
        if len(last.split()) < MIN_WORDS and count(text[pieces[-2][0] : pieces[-1][1]]) <= max_tokens:
            pieces[-2][1] = pieces[-1][1]
            pieces.pop()
    return [(s, e) for s, e in pieces]


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
    chunks: list[Chunk] = []
    number = 0
    for u in units:
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
                    line_start=doc.line_at(start),
                    line_end=doc.line_at(end - 1),
                    page=doc.page_at(start),
                    extra={"kind": u.kind},
                )
            )
    return chunks

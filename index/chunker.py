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
CHUNKER_VERSION = "2026.2-footnotes-3"

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


_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w.-]+\.(?:nl|com|org|net|eu|be|int)(?:/\S*)?\b", re.I)
# Words that only point elsewhere ("Zie ook", "Bron:", "via").
_POINTER_WORDS = frozenset("zie ook bron bronnen via link links hier url website pagina p blz".split())
# A footnote chunk opens with its number: "3 30,6 duizend dakloze mensen ...".
NOTE_NUMBER = re.compile(r"^\s*(\d{1,3})\s+(?=\S)")


def is_reference_only(text: str) -> bool:
    """Whether a passage is only references: fewer than three words remain without links and pointers."""
    if not _URL.search(text) and not re.match(r"\s*(?:\d{1,3}\s+)?zie\b", text, re.I):
        return False
    rest = _URL.sub(" ", NOTE_NUMBER.sub("", text))
    words = [w for w in re.findall(r"[^\W\d_]{2,}", rest) if w.lower() not in _POINTER_WORDS]
    return len(words) < 3


def note_number(text: str) -> str | None:
    """The number a footnote's text opens with ("3 30,6 duizend ..." -> "3")."""
    m = NOTE_NUMBER.match(text)
    return m.group(1) if m else None


def _marker_pattern(number: str) -> re.Pattern:
    """Where footnote `number` is referenced in the source text: glued to a word, "[footnoteRef:n]", superscript."""
    superscript = number.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return re.compile(
        rf"(?:(?<=[^\W\d_])|(?<=[’')\].,]))(?:{number}|{superscript})(?=[\s,.;:)!?]|$)"
        rf"|\[footnoteRef:{number}\]")


def link_footnotes(source: str, units: list[_Unit]) -> dict[int, str]:
    """For each footnote unit (by position), the body sentence that carries its marker.

    A marker precedes its note in the source (same page, or an inline
    "[footnoteRef:n]" before "[n: ...]"): the last occurrence before the note
    that falls inside a body unit is taken. The sentence is an exact slice of
    that unit's text, as it appears in its chunk.
    """
    body = [u for u in units if u.kind != "footnote" and u.offs]
    found: dict[int, str] = {}
    for position, note in enumerate(units):
        number = note_number(note.text) if note.kind == "footnote" and note.offs else None
        if number is None:
            continue
        markers = [m.start() for m in _marker_pattern(number).finditer(source, 0, note.offs[0])]
        for marker in reversed(markers):
            holder = next((u for u in body if u.offs[0] <= marker <= u.offs[-1]), None)
            if holder is None:
                continue
            at = next((i for i, o in enumerate(holder.offs) if o >= marker), len(holder.offs) - 1)
            sentence = next(((s, e) for s, e in sentence_spans(holder.text) if at <= e), None)
            if sentence:
                found[position] = holder.text[sentence[0]:sentence[1]]
            break
    return found


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
        note = u.kind == "footnote"
        prev_ok = i > 0 and units[i - 1].heading == u.heading and (units[i - 1].kind == "footnote") == note
        leads_on = u.text.rstrip().endswith((",", ":"))
        next_ok = i + 1 < len(units) and (units[i + 1].kind == "footnote") == note and (
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
    contexts = link_footnotes(doc.text, units)
    ocr_pages = frozenset(getattr(doc, "ocr_pages", ()))  # PDF pages read from a scan
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
                    line_start=doc.line_at(start),
                    line_end=doc.line_at(end - 1),
                    page=doc.page_at(start),
                    page_end=doc.page_at(end - 1),
                    kind="reference" if is_reference_only(u.text[s:e]) else u.kind,
                    context=contexts.get(position),
                    ocr=bool(ocr_pages) and doc.page_at(start) in ocr_pages,
                )
            )
    return chunks

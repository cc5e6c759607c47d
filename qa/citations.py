"""Every quoted part of an answer cites a passage the answer lists.

An answer sentence can bring text from outside its own passage: a sentence
that opens its passage by pointing back ("Daardoor ...") is quoted after the
last sentence of the paragraph before (its `lead`), and a footnote after the
body sentence that carries its marker (its `context`). A reader who checks
the quote must find that text in a listed source, so the passage it comes
from joins the passages, right after the one it is quoted with, and the
answer text cites it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from index.types import Chunk

from .extract import AnswerSentence
from .retrieval import Hit

# Chunks that sit apart from the text around them: a sentence that opens a passage
# points back to the passage before it, not to a footnote or a list of links.
ASIDE_KINDS = ("footnote", "reference")
# Finds the passage of a hit's document that holds a quoted text (None where none does).
SourceOf = Callable[[Hit, str], Chunk | None]


def nearest_holding(chunks: Sequence[Chunk], hit: Hit, text: str) -> Chunk | None:
    """The passage of `chunks` nearest to the hit that holds `text`: the one a lead or context was read from.

    Footnotes and lists of references are asides, never the body text a
    sentence points back to.
    """
    holding = [c for c in chunks if c.kind not in ASIDE_KINDS and text in c.text]
    return min(holding, key=lambda c: abs(c.start - hit.chunk.start), default=None)


def cite_quoted_sources(hits: list[Hit], sentences: list[AnswerSentence], source_of: SourceOf,
                        top_k: int) -> tuple[list[Hit], list[AnswerSentence]]:
    """The passages of the answer's leads and footnote contexts among the hits, each sentence citing its own.

    A passage that is listed already keeps its rank. One that is not is
    inserted right after the passage quoted with it, and the last passage
    gives way when the list is full; where that would drop a passage the
    answer quotes, the lead is quoted without a source of its own, as before.
    """
    sentences = list(sentences)
    for index in range(len(sentences)):
        sentence = sentences[index]  # read again: an insertion before it moves its passage down
        quote = sentence.lead or sentence.context
        if not quote:
            continue
        hit = hits[sentence.passage - 1]
        source = source_of(hit, quote)
        if source is None:
            continue
        rank = next((h.rank for h in hits if same_chunk(h.chunk, source)), None)
        if rank is None:
            rank = sentence.passage + 1
            shifted = [s.passage + (s.passage >= rank) for s in sentences]
            if rank > top_k or max(shifted) > top_k:
                continue
            # It stands with the passage it is quoted with, and shows that passage's scores.
            hits = hits[:rank - 1] + [replace(hit, chunk=source)] + hits[rank - 1:]
            hits = [replace(h, rank=n) for n, h in enumerate(hits[:top_k], 1)]
            sentences = [replace(s, passage=p) for s, p in zip(sentences, shifted)]
        start = source.text.find(quote)
        sentences[index] = replace(sentences[index], lead_at=(rank, start, start + len(quote)))
    return hits, sentences


def same_chunk(a: Chunk, b: Chunk) -> bool:
    return (a.document_key, a.start, a.end) == (b.document_key, b.start, b.end)

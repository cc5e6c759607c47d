"""Who signed a letter: "Wie heeft de brief ... ondertekend?" is answered by the letter's signature.

A letter ends in its signature: a closing ("Met vriendelijke groet,",
"Hoogachtend,") or the signer's office ("De minister van Sociale Zaken en
Werkgelegenheid,"), then a name. A question that asks who signed, wrote or
sent a letter asks for that block, but shares few words with it: a letter
never writes "ondertekend", so retrieval seldom ranks its last passage. So
for such a question (`asks_for_signer`) the signature of the best-ranked
document that has one, and that names every name the question names
(`qa.answer_types.question_names`: "de brief van Valente"), becomes the first
passage, and its signature is the answer, quoted word for word
(`signature_answer`). The words that ask for it are left out of the search
(`search_text`): no letter writes them, and the share of a question's words
found in the corpus decides whether it is answered at all. Where no listed
document qualifies, the question goes the usual way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from index.analysis import fold
from index.types import Chunk

from .answer_types import question_names
from .extract import AnswerSentence
from .retrieval import Hit

# "Wie heeft de brief ondertekend?", "Wie is de afzender?", "Wie schreef de brief ...?" (who wrote an
# article asks for its byline, not a signature: writing counts only of a letter).
ASKS_SIGNER = re.compile(r"\bondertek\w*|\bafzender\b|^(?:en\s+)?wie\b(?=.*\bbrief\b).*\b(?:schreef|schreven|"
                         r"geschreven|stuurde|stuurden|gestuurd|verstuurd|verstuurde)\b")
# A letter's closing formula, or the office it is signed in ("De minister van ...,"), opening a line
# or a passage and followed by the signer's name.
_OFFICES = (r"minister|staatssecretaris|minister-president|burgemeester|wethouder|gedeputeerde|"
            r"commissaris|directeur|voorzitter|secretaris|griffier|dijkgraaf")
CLOSING = re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?:Met (?:vriendelijke|hartelijke) groet(?:en)?|Hoogachtend|"
                     rf"Met de meeste hoogachting|(?:De|Het|Namens de) (?:{_OFFICES})\b[^\n.]{{0,120}}),")
# The passages at a document's end that may hold its signature (notes and link lists are not counted).
LAST_PASSAGES = 3
# How far down the best hits a letter is looked for.
LETTER_DEPTH = 5
# A signature is a closing and a name: a few words, never a paragraph.
MAX_SIGNATURE_WORDS = 30
_ASIDES = ("footnote", "reference")


# The words that ask for the signer: a letter never writes them, so they are no words to search for.
_SIGNING_WORDS = re.compile(r"\b(?:ondertek\w*|afzender|schreef|schreven|geschreven|stuurde|stuurden|gestuurd|"
                            r"verstuurd|verstuurde)\b", re.IGNORECASE)


def search_text(question: str) -> str:
    """What to search for when the question asks for a signer: its words without the asking for signing
    ("Wie heeft de brief over X ondertekend?" searches "Wie heeft de brief over X"); the question else."""
    if not asks_for_signer(question):
        return question
    return " ".join(_SIGNING_WORDS.sub(" ", question).split()) or question


def asks_for_signer(question: str) -> bool:
    """Whether the question asks who signed, wrote or sent a letter."""
    return bool(ASKS_SIGNER.search(fold(question)))


def signature_in(chunks: tuple[Chunk, ...] | list[Chunk]) -> tuple[Chunk, int] | None:
    """The passage near the document's end that holds its signature, and where the signature starts."""
    body = [chunk for chunk in chunks if chunk.kind not in _ASIDES]
    for chunk in reversed(body[-LAST_PASSAGES:]):
        for match in CLOSING.finditer(chunk.text):
            rest = chunk.text[match.end():]
            words = len(chunk.text[match.start():].split())
            if words <= MAX_SIGNATURE_WORDS and re.search(r"[A-Z][\w.]*\s*[A-Z]?", rest):
                return chunk, match.start()
    return None


def signature_answer(question: str, hits: list[Hit],
                     document_chunks: Callable[[Hit], tuple[Chunk, ...]]) -> tuple[list[Hit], AnswerSentence] | None:
    """The hits with the signing letter's signature first, and the signature as the answer; None when the
    question asks no signer or no listed letter qualifies (see the module docstring)."""
    if not asks_for_signer(question):
        return None
    names = question_names(question)
    seen = set()
    for hit in hits[:LETTER_DEPTH]:
        if hit.chunk.document_key in seen:
            continue
        seen.add(hit.chunk.document_key)
        chunks = document_chunks(hit)
        found = signature_in(chunks)
        if found is None:
            continue
        document = fold(" ".join([hit.chunk.title] + [chunk.text for chunk in chunks]))
        if not all(any(part in document for part in name) for name in names):
            continue
        chunk, start = found
        closest = max(h.dense_score for h in hits if h.chunk.document_key == chunk.document_key)
        first = Hit(chunk, hits[0].score, 1, closest)
        rest = [h for h in hits if h.chunk != chunk]
        ranked = [first] + [replace(h, rank=rank) for rank, h in enumerate(rest[: len(hits) - 1], start=2)]
        return ranked, AnswerSentence(1, start, len(chunk.text.rstrip()), chunk.text[start:].rstrip())
    return None

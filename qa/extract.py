"""Picks the sentences that answer a question, word for word, from the top passages.

A sentence scores on three kinds of evidence: how many of the question's
content words (stemmed, with compound parts) it holds, how highly its passage
ranked, and whether it holds the kind of fact the question word asks for
("hoeveel" wants a number, "wanneer" a date). Nothing here is ever rewritten:
the answer is a span of a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.analysis import DutchAnalyzer, fold
from index.sentences import sentence_spans

from .retrieval import Hit

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
# A quantity, not a date: "40 woningen", "12 procent", "twaalf gemeenten",
# but not "5 februari" or the year "2026" on its own.
_QUANTITY = re.compile(
    rf"(?<![\d.,])(?!(?:19|20)\d\d\b)\d[\d.,]*(?!\s*(?:{_MONTHS})\b)(?![\d.,]*\d)"
    r"|\b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|dertig|veertig|vijftig|zestig|"
    r"zeventig|tachtig|negentig|honderd|duizend|miljoen|miljard|procent|helft|kwart|derde)\b"
)
_MONEY = re.compile(r"€|\beuro\b|\bmiljoen\b|\bmiljard\b")
_DATE = re.compile(
    r"\b(?:\d{4}|januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"week \d+|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|jaar|maand)\b"
)

# Question openings and the evidence a good answer sentence carries for them.
# "Wie" has none: it is answered by an organisation ("de gemeente") as often as
# by a person, and a capital letter starts every sentence (docs/quality.md).
_CUES = (
    (re.compile(r"\b(welk bedrag|hoeveel geld|wat kost|hoe duur|welke waarde|hoeveel euro)\b"), _MONEY),
    (re.compile(r"\b(hoeveel|hoe veel|hoe groot|hoe hoog|welk percentage|welk deel|met hoeveel)\b"), _QUANTITY),
    (re.compile(r"\b(wanneer|welke datum|op welke dag|in welk jaar|welke week|per wanneer)\b"), _DATE),
)

# Weight of "holds the kind of fact asked for"; measured on the seed dev set
# against 0.2 and 0.5 (docs/quality.md).
CUE_WEIGHT = 0.4
# Second-stage reranking of the top passages by their best sentence.
RERANK_DEPTH = 10
RERANK_WEIGHT = 0.2
MIN_ANSWER_WORDS = 6
MAX_PASSAGES = 3


@dataclass(frozen=True)
class AnswerSentence:
    passage: int  # 1-based rank of the passage it comes from
    start: int  # offsets in that passage's text, end exclusive
    end: int
    text: str


# Sentence scoring needs stems without compound parts, so no corpus lexicon.
content_terms = DutchAnalyzer(compounds=False).content_terms


def _term_overlap(question_terms: set[str], sentence_terms: list[str]) -> float:
    if not question_terms:
        return 0.0
    found = 0.0
    present = set(sentence_terms)
    for term in question_terms:
        if term in present:
            found += 1.0
        elif len(term) >= 4 and any(term in other for other in present if len(other) > len(term)):
            found += 0.6  # a compound that contains the question's word
    return found / len(question_terms)


def _asked_evidence(question: str) -> re.Pattern | None:
    """What a sentence must hold to answer the question ("hoeveel": a quantity), if anything."""
    q = fold(question)
    return next((evidence for asks, evidence in _CUES if asks.search(q)), None)


def _cue_score(question: str, sentence: str) -> float:
    evidence = _asked_evidence(question)
    if evidence is None:
        return 0.0
    return 1.0 if evidence.search(fold(sentence)) else 0.0


def _sentence_evidence(question: str, question_terms: set[str], sentence: str) -> float:
    return (0.6 * _term_overlap(question_terms, content_terms(sentence))
            + CUE_WEIGHT * _cue_score(question, sentence))


def rerank(question: str, hits: list[Hit], *, depth: int | None = None,
           weight: float | None = None) -> list[Hit]:
    """Second stage: a passage holding a sentence that answers the question moves up.

    The retrieval score says a passage is about the subject; the best sentence's
    evidence (question words plus the kind of fact asked for) says it answers.
    """
    depth = RERANK_DEPTH if depth is None else depth
    weight = RERANK_WEIGHT if weight is None else weight
    if weight <= 0 or len(hits) < 2 or _asked_evidence(question) is None:
        # Without a kind of fact to look for, sentence evidence is only word
        # overlap, which the retrieval already weighed.
        return hits
    head, tail = hits[:depth], hits[depth:]
    top = head[0].score or 1.0
    question_terms = set(content_terms(question))

    def combined(hit: Hit) -> float:
        text = hit.chunk.text
        evidence = max((_sentence_evidence(question, question_terms, text[s:e])
                        for s, e in sentence_spans(text)), default=0.0)
        return (1 - weight) * hit.score / top + weight * evidence

    reordered = sorted(head, key=combined, reverse=True) + tail
    return [replace(hit, rank=rank) for rank, hit in enumerate(reordered, 1)]


def extract_answer(question: str, hits: list[Hit], *, max_passages: int = MAX_PASSAGES) -> list[AnswerSentence]:
    """The best sentence (plus its neighbour when it is very short), or [] with no hits."""
    if not hits:
        return []
    considered = hits[:max_passages]
    top = considered[0].score
    question_terms = set(content_terms(question))
    best: tuple[float, int, int, list[tuple[int, int]]] | None = None
    for i, hit in enumerate(considered):
        spans = sentence_spans(hit.chunk.text)
        # A passage far below the best one only wins on much stronger sentence evidence.
        passage_weight = hit.score / top if top > 0 else 0.0
        for j, (start, end) in enumerate(spans):
            sentence = hit.chunk.text[start:end]
            score = _sentence_evidence(question, question_terms, sentence) + 0.3 * passage_weight
            if best is None or score > best[0]:
                best = (score, i, j, spans)
    _, i, j, spans = best
    hit = considered[i]
    start, end = spans[j]
    if len(hit.chunk.text[start:end].split()) < MIN_ANSWER_WORDS and j + 1 < len(spans):
        end = spans[j + 1][1]
    return [AnswerSentence(hit.rank, start, end, hit.chunk.text[start:end])]


def lead_sentence(hits: list[Hit]) -> list[AnswerSentence]:
    """The first sentence of the best passage: the baseline the extractor is measured against."""
    if not hits:
        return []
    spans = sentence_spans(hits[0].chunk.text) or [(0, len(hits[0].chunk.text))]
    start, end = spans[0]
    return [AnswerSentence(hits[0].rank, start, end, hits[0].chunk.text[start:end])]

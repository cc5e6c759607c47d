"""Picks the sentences that answer a question, word for word, from the top passages.

A sentence scores on three kinds of evidence: how many of the question's
content words (stemmed, with compound parts) it holds, how highly its passage
ranked, and whether it holds the kind of fact the question word asks for
("hoeveel" wants a number, "wanneer" a date). Nothing here is ever rewritten:
the answer is a span of a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analysis import DutchAnalyzer, fold
from index.sentences import sentence_spans

from .retrieval import Hit

_NUMBER = re.compile(r"\d|\b(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|honderd|duizend|miljoen|miljard|procent)\b")
_DATE = re.compile(
    r"\b(?:\d{4}|januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"week \d+|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|jaar|maand)\b"
)
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]+")

# Question openings and the evidence a good answer sentence carries for them.
_CUES = (
    (re.compile(r"\b(hoeveel|hoe veel|hoe groot|hoe hoog|welk percentage|welk bedrag)\b"), _NUMBER),
    (re.compile(r"\b(wanneer|welke datum|op welke dag|in welk jaar|welke week|per wanneer)\b"), _DATE),
    (re.compile(r"^\s*(wie|door wie|van wie)\b"), _NAME),
)

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


def _cue_score(question: str, sentence: str) -> float:
    q = fold(question)
    for asks, evidence in _CUES:
        if asks.search(q):
            target = sentence if evidence is _NAME else fold(sentence)
            return 1.0 if evidence.search(target) else 0.0
    return 0.0


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
            score = (0.6 * _term_overlap(question_terms, content_terms(sentence))
                     + 0.3 * passage_weight
                     + 0.2 * _cue_score(question, sentence))
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

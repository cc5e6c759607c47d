"""Picks the sentence that answers a question, word for word, from the top passages.

A sentence scores on three kinds of evidence: how many of the question's
content words (stemmed; a compound holding one counts in part) it holds, how highly its passage
ranked, and whether it holds the kind of fact the question asks for
(`qa.answer_types`: "hoeveel" wants a number, "wie" a name, "waarom" a
reason). Two kinds of sentence are never the answer: a question (unless the
question asks what someone asked), and a footnote's number. A footnote that
answers is quoted with the body sentence that carries its marker. Nothing
here is ever rewritten: the answer is made of spans of passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from index.analysis import DutchAnalyzer, fold
from index.chunker import NOTE_NUMBER
from index.sentences import sentence_spans

from .answer_types import CAUSE, Asked, asked, has_question_word, is_question, type_evidence
from .retrieval import Hit

# Weight of "holds the kind of fact asked for" (docs/quality.md).
CUE_WEIGHT = 0.4
TERM_WEIGHT = 0.6
PASSAGE_WEIGHT = 0.3
# In a follow-up, the earlier question's words count for this much of their
# weight: they name the subject, the new question names what is asked.
HISTORY_TERM_WEIGHT = 0.5
# Second-stage reranking of the top passages by their best sentence, for
# questions that ask for one specific value: there the sentence evidence
# is sharp. For names, places and reasons it lifted passages of other
# documents above the answer page (docs/quality.md).
RERANK_TYPES = ("quantity", "amount", "date")
RERANK_DEPTH = 10
RERANK_WEIGHT = 0.2
# Other typed questions: the best document's passages trade places on their
# best sentence with this weight (the documents' order stays).
WITHIN_DOCUMENT_WEIGHT = 0.5
MIN_ANSWER_WORDS = 6
MAX_PASSAGES = 3  # the top passages whose sentences compete for the answer
# A second sentence is quoted when it scores at least this share of the best.
MAX_ANSWER_SENTENCES = 2
SECOND_SENTENCE_RATIO = 0.8

# A sentence that opens by pointing back ("Op die manier worden mensen ...",
# "Daardoor ...", "Dit betekent ...", "In dat jaar ...") says nothing on its own:
# its subject is the sentence before, which is quoted with it. When it opens its
# passage, that is the last sentence of the passage before (under the same
# heading). After a preposition only "dat" and "die" point back: "in deze brief",
# "op dit moment" point at the text or the time at hand.
LEANS_ON_PREVIOUS = re.compile(
    r"(?:(?:in|op|na|voor|tot|vanaf|sinds|met|door|bij|uit|aan|over|tegen|volgens|van|onder)\s+(?:dat|die)"
    r"|dit|dat|deze|die|daardoor|daarmee|daarom|daarbij|daarvoor|hierdoor|hiermee|hierbij|"
    r"op die manier|op deze manier|zo(?!['’]n))\b", re.IGNORECASE)  # "zo'n 100.000" points nowhere
# For a "waarom" question: a sentence that draws a conclusion ("Gemeenten zouden
# noodopvang daarom als tussenstap moeten zien") states a consequence, and its
# reason is the sentence before, quoted with it; a sentence with no cause or
# purpose clause (answer_types.CAUSE) is quoted with the sentence after it.
CONCLUDES = re.compile(r"\b(?:daarom|daardoor|hierdoor|hierom|om die reden|om deze reden|dus)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AnswerSentence:
    passage: int  # 1-based rank of the passage it comes from
    start: int  # offsets in that passage's text, end exclusive
    end: int
    text: str
    # A footnote's answer: the body sentence that carries its marker, quoted before it.
    context: str | None = None
    # A sentence that opens its passage by pointing back: the last sentence of the
    # passage before, which it points back to, quoted before it.
    lead: str | None = None
    # Where the lead or context stands in the passages the answer lists: (rank, start, end)
    # in that passage's text (qa.citations); None where it is not listed.
    lead_at: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class Question:
    """A question as the extractor weighs it: what it asks, and its words (with a follow-up's subject)."""

    text: str
    wanted: Asked
    terms: dict[str, float]  # stem -> weight
    own: str = ""  # a follow-up's own words ("En in 2023?"); the whole question otherwise

    @classmethod
    def of(cls, text: str, history: list[str] | None = None) -> "Question":
        own = text
        terms = {t: 1.0 for t in content_terms(text)}
        wanted = asked(text)
        if history:
            earlier = history[-1]
            for term in content_terms(earlier):
                terms.setdefault(term, HISTORY_TERM_WEIGHT)
            if wanted.kind is None and not has_question_word(text):
                wanted = asked(earlier)  # "En in 2024?" asks what the earlier question asked
            text = f"{earlier} {text}"
        return cls(text, wanted, terms, own)


# Sentence scoring needs stems without compound parts, so no corpus lexicon.
content_terms = DutchAnalyzer(compounds=False).content_terms


@lru_cache(maxsize=50_000)
def sentence_terms(sentence: str) -> tuple[str, ...]:
    """A passage sentence's stems; the same passages come back question after question, so they are kept."""
    return tuple(content_terms(sentence))


@lru_cache(maxsize=10_000)
def passage_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """The sentence spans of a passage, kept like its stems."""
    return tuple(sentence_spans(text))


def prepare_sentences(texts: Iterable[str]) -> None:
    """Split and stem the sentences of passages ahead of any question.

    Splitting (Punkt) and stemming a passage costs about 0.2 ms the first time
    an answer reads it, and an answer reads ten or more; once done they are
    kept (`passage_sentences`, `sentence_terms`). Done when an index is
    opened, a new question costs 2.9 ms besides the model instead of 4.3
    (docs/performance.md, session 16).
    """
    for text in texts:
        for start, end in passage_sentences(text):
            sentence_terms(text[start:end])


def term_overlap(terms: dict[str, float], found_terms: list[str] | tuple[str, ...]) -> float:
    """Weighted share of the question's terms in a sentence; a compound holding a term counts 0.6."""
    total = sum(terms.values())
    if not total:
        return 0.0
    found = 0.0
    present, joined = _present(tuple(found_terms))
    for term, weight in terms.items():
        if term in present:
            found += weight
        elif len(term) >= 4 and term in joined:
            # Not a word of the sentence, but part of one: a longer word, a compound, holds it.
            found += 0.6 * weight
    return found / total


@lru_cache(maxsize=50_000)
def _present(found_terms: tuple[str, ...]) -> tuple[frozenset[str], str]:
    """A sentence's stems as a set, and joined by spaces: a substring of the joined text that is
    not one of the stems is part of a longer one (stems hold no spaces)."""
    return frozenset(found_terms), " ".join(found_terms)


def sentence_evidence(question: Question, sentence: str) -> float:
    return (TERM_WEIGHT * term_overlap(question.terms, sentence_terms(sentence))
            + CUE_WEIGHT * type_evidence(question.wanted, sentence, question.text))


def answer_spans(hit: Hit, wanted: Asked) -> list[tuple[int, int]]:
    """The sentences of a passage that may be quoted as an answer.

    A question is no answer unless a question is asked for; a footnote's
    leading number is no part of its sentence.
    """
    text = hit.chunk.text
    spans = []
    for start, end in passage_sentences(text):
        if hit.chunk.kind == "footnote" and start == 0:
            number = NOTE_NUMBER.match(text)
            start = number.end() if number and number.end() < end else start
        if is_question(text[start:end]) and not wanted.questions_answer:
            continue
        spans.append((start, end))
    return spans


def rerank(question: Question, hits: list[Hit], *, depth: int | None = None,
           weight: float | None = None) -> list[Hit]:
    """Second stage: a passage holding a sentence that answers the question moves up.

    The retrieval score says a passage is about the subject; the best sentence's
    evidence (question words plus the kind of fact asked for) says it answers.
    For a question asking one specific value (RERANK_TYPES) every passage of
    the top `depth` competes. For other typed questions only the passages of
    the best document trade places among themselves: which documents rank
    where stays as retrieval decided, but within a document the passage that
    holds the answer goes first.
    """
    depth = RERANK_DEPTH if depth is None else depth
    weight = RERANK_WEIGHT if weight is None else weight
    if weight <= 0 or len(hits) < 2 or question.wanted.kind is None:
        # Without a kind of fact to look for, sentence evidence is only word
        # overlap, which the retrieval already weighed.
        return hits
    head, tail = hits[:depth], hits[depth:]
    top = head[0].score or 1.0

    def combined(hit: Hit, weight: float) -> float:
        text = hit.chunk.text
        evidence = max((sentence_evidence(question, text[s:e]) for s, e in answer_spans(hit, question.wanted)),
                       default=0.0)
        return (1 - weight) * hit.score / top + weight * evidence

    if question.wanted.kind in RERANK_TYPES:
        reordered = sorted(head, key=lambda hit: combined(hit, weight), reverse=True)
    else:
        document = head[0].chunk.document_key
        slots = [i for i, hit in enumerate(head) if hit.chunk.document_key == document]
        ours = sorted((head[i] for i in slots), key=lambda hit: combined(hit, WITHIN_DOCUMENT_WEIGHT), reverse=True)
        reordered = list(head)
        for slot, hit in zip(slots, ours):
            reordered[slot] = hit
    return [replace(hit, rank=rank) for rank, hit in enumerate(reordered + tail, 1)]


def _candidates(question: Question, hits: list[Hit], max_passages: int) -> list[tuple[float, Hit, int, list]]:
    """Every quotable sentence of the top passages with its score, best first.

    Further passages are only read when the top ones hold nothing quotable
    (only questions, say).
    """
    top = hits[0].score
    for considered in (hits[:max_passages], hits[max_passages:]):
        found = []
        for hit in considered:
            spans = answer_spans(hit, question.wanted)
            # A passage far below the best one only wins on much stronger sentence evidence.
            passage_weight = hit.score / top if top > 0 else 0.0
            for j, (start, end) in enumerate(spans):
                score = sentence_evidence(question, hit.chunk.text[start:end]) + PASSAGE_WEIGHT * passage_weight
                found.append((score, hit, j, spans))
        if found:
            return sorted(found, key=lambda c: (-c[0], c[1].rank, c[2]))
    return []


def _quote(hit: Hit, j: int, spans: list[tuple[int, int]], wanted: Asked | None = None,
           previous: Callable[[Hit], str | None] | None = None) -> AnswerSentence:
    """Sentence j of a passage as quoted: with the next one when it is very short, a footnote with its context.

    A sentence that points back ("Dit ...", or for "waarom" one that concludes:
    "... daarom ...") is quoted with the sentence it points back to; when it
    opens its passage, that is the last sentence of the passage before
    (`previous(hit)` gives that passage's text, None where there is none).
    """
    start, end = spans[j]
    text = hit.chunk.text
    # The quotable sentences next to this one, where nothing lies between (a question left out does).
    before = j > 0 and not text[spans[j - 1][1]:start].strip()
    after = j + 1 < len(spans) and not text[end:spans[j + 1][0]].strip()
    if len(text[start:end].split()) < MIN_ANSWER_WORDS and after and hit.chunk.kind != "footnote":
        end = spans[j + 1][1]
    asks_why = wanted is not None and wanted.kind == "reason"
    leans = bool(LEANS_ON_PREVIOUS.match(text, start) or (asks_why and CONCLUDES.search(text, start, end)))
    lead = None
    if leans and previous is not None and hit.chunk.kind != "footnote" and not text[:start].strip():
        lead = last_statement(previous(hit))
    if before and leans:
        start = spans[j - 1][0]  # "Op die manier ...": quoted with the sentence it points back to
    elif asks_why and after and not lead and not CAUSE.search(fold(text[spans[j][0]:spans[j][1]])):
        end = max(end, spans[j + 1][1])  # a claim without its cause: the reason often follows it
    context = hit.chunk.context if hit.chunk.kind == "footnote" else None
    return AnswerSentence(hit.rank, start, end, text[start:end], context, lead)


def last_statement(text: str | None) -> str | None:
    """The last sentence of a passage's text, unless it asks something (a question is never quoted)."""
    spans = passage_sentences(text) if text else ()
    if not spans:
        return None
    start, end = spans[-1]
    return None if is_question(text[start:end]) else text[start:end]


def extract_answer(question: Question, hits: list[Hit], *, max_passages: int | None = None,
                   previous: Callable[[Hit], str | None] | None = None) -> list[AnswerSentence]:
    """The best sentence first, and a second one when it scores nearly as well; [] when no passage has one.

    Two sentences are quoted when the evidence cannot tell them apart
    (SECOND_SENTENCE_RATIO): a reader sees both in a short answer (the
    service shows them in the order of the passages). `previous(hit)` gives
    the text of the passage before a hit's (`_quote`).
    """
    if not hits:
        return []
    candidates = _candidates(question, hits, MAX_PASSAGES if max_passages is None else max_passages)
    if not candidates:
        return []
    best = candidates[0]
    chosen = [_quote(best[1], best[2], best[3], question.wanted, previous)]
    for score, hit, j, spans in candidates[1:MAX_ANSWER_SENTENCES * 4]:
        if len(chosen) >= MAX_ANSWER_SENTENCES or score < SECOND_SENTENCE_RATIO * best[0]:
            break
        quote = _quote(hit, j, spans, question.wanted, previous)
        if any(q.passage == quote.passage and q.start < quote.end and quote.start < q.end for q in chosen):
            continue
        if any(quote.text in (q.lead or "") or (quote.lead and quote.lead in q.text) for q in chosen):
            continue  # the sentence, or the lead it brings, is quoted already
        chosen.append(quote)
    return chosen


def answer_passage_first(hits: list[Hit], sentences: list[AnswerSentence]) -> tuple[list[Hit], list[AnswerSentence]]:
    """The passage of the best answer sentence moves to rank 1 when it is of the first passage's document.

    Within one document the sentence evidence (the asked-for fact, the
    question's words) says better than the passage ranking which passage
    answers, and a reader expects the first source to be the one the answer
    quotes. Across documents the ranking stays: which document is about the
    question is the retrieval's call (on `vac`, moving across documents cost
    a tenth of the source hits, docs/quality.md).
    """
    if not sentences or sentences[0].passage == 1:
        return hits, sentences
    first = sentences[0].passage
    if hits[first - 1].chunk.document_key != hits[0].chunk.document_key:
        return hits, sentences
    order = [first] + [rank for rank in range(1, len(hits) + 1) if rank != first]
    new_rank = {old: new for new, old in enumerate(order, 1)}
    return ([replace(hits[old - 1], rank=new) for new, old in enumerate(order, 1)],
            [replace(sentence, passage=new_rank[sentence.passage]) for sentence in sentences])


def lead_sentence(hits: list[Hit]) -> list[AnswerSentence]:
    """The first sentence of the best passage: the baseline the extractor is measured against."""
    if not hits:
        return []
    spans = sentence_spans(hits[0].chunk.text) or [(0, len(hits[0].chunk.text))]
    start, end = spans[0]
    return [AnswerSentence(hits[0].rank, start, end, hits[0].chunk.text[start:end])]

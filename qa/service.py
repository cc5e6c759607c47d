"""Answers one question from one index snapshot: the heart of every way in."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

from index.embedder import Embedder
from index.backends import Backend
from index.types import HEADING_SEPARATOR, Chunk

from .abstention import retrieval_is_weak, supported_sentences
from .citations import ASIDE_KINDS, cite_quoted_sources, nearest_holding
from .extract import (AnswerSentence, Question, answer_passage_first, extract_answer, lead_sentence,
                      prepare_sentences, rerank)
from .language import Language, detect_language
from .options import AnswerOptions
from .question import clean_history, clean_question
from .reranker import load_reranker
from .retrieval import Hit, Retriever
from .signature import search_text, signature_answer

NOTHING_FOUND = "Ik heb hierover niets gevonden in de documenten."
# The near-miss check (qa.abstention.names_not_in_section) reads the passages under the
# answer's heading, at most this many paragraphs either side (a long document without
# headings is not read whole), and keeps the last SECTION_CACHE of them. Of each section
# that encloses it ("A" and "A › B" for a passage under "A › B › C") it reads the lead: the
# first SECTION_LEAD passages directly under that heading.
SECTION_REACH = 50
SECTION_LEAD = 3
SECTION_CACHE = 64
# The section, the passage before and the source of a quoted lead all read the chunks of the
# answer's document; the last DOCUMENT_CACHE documents are kept, so one answer reads each once.
DOCUMENT_CACHE = 8
DEFAULT_TOP_K = 5
MAX_TOP_K = 20
# Passages whose sentences are split and stemmed when an index is opened (Answerer.prepare):
# half of what qa.extract keeps, so the questions' own passages still find room; about a
# second of work on two cores.
PREPARED_PASSAGES = 5_000


@dataclass
class Answer:
    question: str
    language: Language
    text: str
    citations: list[int]
    abstained: bool
    hits: list[Hit]
    sentences: list[AnswerSentence]
    timings: dict = field(default_factory=dict)
    index_version: str = ""
    model: str = ""

    def as_dict(self) -> dict:
        return {
            "question": self.question,
            "language": self.language.as_dict(),
            "answer": {
                "text": self.text,
                "citations": self.citations,
                "highlights": [
                    {"passage": passage, "start": start, "end": end}
                    for s in self.sentences
                    for passage, start, end in ([s.lead_at] if s.lead_at else []) + [(s.passage, s.start, s.end)]
                ],
            },
            "abstained": self.abstained,
            "passages": [passage_dict(hit) for hit in self.hits],
            "timings_ms": {k: round(v, 2) for k, v in self.timings.items()},
            "index": {"version": self.index_version, "model": self.model},
        }


def quoted(sentence: AnswerSentence) -> str:
    """An answer sentence as the answer text shows it; a footnote after the body sentence it belongs to.

    A lead or context from another listed passage cites that passage itself (qa.citations).
    """
    own = f" [{sentence.lead_at[0]}]" if sentence.lead_at else ""
    if sentence.context:
        return f"{sentence.context}{own} (voetnoot: {sentence.text}) [{sentence.passage}]"
    if sentence.lead:
        return f"{sentence.lead}{own} {sentence.text} [{sentence.passage}]"
    return f"{sentence.text} [{sentence.passage}]"


def passage_dict(hit: Hit) -> dict:
    c = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.dense_score, 4),
        "text": c.text,
        "source": {
            "collection": c.collection,
            "document": c.doc_id,
            "title": c.title,
            "heading": c.heading,
            "paragraph": c.paragraph,
            "lines": [c.line_start, c.line_end],
            "page": c.page,
            "page_end": c.page_end,
            "kind": c.kind,
            "ocr": c.ocr,
            "span": [c.start, c.end],
        },
    }


class Answerer:
    def __init__(self, snapshot: Backend, embedder: Embedder, options: AnswerOptions | None = None):
        self.snapshot = snapshot
        self.retriever = Retriever(snapshot, embedder)
        self.options = options or AnswerOptions()
        self.reranker = (load_reranker(self.options.reranker, offline=self.options.offline)
                         if self.options.reranker else None)
        # The same sections come back question after question; the snapshot never changes under us.
        self._section = lru_cache(maxsize=SECTION_CACHE)(self._read_section)
        self._previous = lru_cache(maxsize=SECTION_CACHE)(self._read_previous)
        self._document_chunks = lru_cache(maxsize=DOCUMENT_CACHE)(self._read_document_chunks)

    def prepare(self, limit: int = PREPARED_PASSAGES) -> int:
        """Split and stem the sentences of up to `limit` passages, in document order, before any question.

        What an answer reads of its passages is kept once computed (qa.extract); a
        server does it here, at start, so that its first questions pay only for the
        model. Returns the number of passages prepared.
        """
        texts: list[str] = []
        for document in self.snapshot.document_records():  # ids only: no document's whole text
            if len(texts) >= limit:
                break
            texts.extend(chunk.text for chunk in self.snapshot.document_chunks(document.doc_id))
        texts = texts[:limit]
        prepare_sentences(texts)
        return len(texts)

    def section_text(self, hit: Hit) -> str:
        """The passages of the hit's document under the same heading, up to SECTION_REACH paragraphs away,
        and the lead of each section that encloses it.

        A document names what it is about once, at the top of the part it opens:
        a memo's place and department on the line under its title, an article's
        subject in its first paragraph above its subheadings. A passage under a
        subheading is about that too.
        """
        return self._section(hit.chunk.collection, hit.chunk.doc_id, hit.chunk.heading, hit.chunk.paragraph)

    def _hit_document(self, hit: Hit) -> tuple[Chunk, ...]:
        """Every passage of the hit's document, in order."""
        return self._document_chunks(hit.chunk.collection, hit.chunk.doc_id)

    def _read_document_chunks(self, collection: str | None, doc_id: str) -> tuple[Chunk, ...]:
        # A passage found across collections says which one it is of (index.backends.combined).
        return tuple(self.snapshot.document_chunks(doc_id, collection=collection) if collection
                     else self.snapshot.document_chunks(doc_id))

    def _read_section(self, collection: str | None, doc_id: str, heading: str | None, paragraph: int) -> str:
        chunks = self._document_chunks(collection, doc_id)
        texts = [chunk.text for chunk in chunks
                 if chunk.heading == heading and abs(chunk.paragraph - paragraph) <= SECTION_REACH]
        parts = (heading or "").split(HEADING_SEPARATOR)
        for depth in range(1, len(parts)):
            enclosing = HEADING_SEPARATOR.join(parts[:depth])
            texts += [chunk.text for chunk in chunks if chunk.heading == enclosing][:SECTION_LEAD]
        return " ".join(texts)

    def source_of(self, hit: Hit, text: str) -> Chunk | None:
        """The passage of the hit's document, nearest to it, that holds `text` (a lead or a footnote's context)."""
        return nearest_holding(self._hit_document(hit), hit, text)

    def previous_text(self, hit: Hit) -> str | None:
        """The text of the passage just before the hit's in its document, when it is under the same heading."""
        c = hit.chunk
        return self._previous(c.collection, c.doc_id, c.heading, c.start)

    def _read_previous(self, collection: str | None, doc_id: str, heading: str | None, start: int) -> str | None:
        chunks = self._document_chunks(collection, doc_id)
        earlier = [chunk for chunk in chunks if chunk.kind not in ASIDE_KINDS and chunk.start < start]
        if not earlier:
            return None
        before = max(earlier, key=lambda chunk: chunk.start)
        return before.text if before.heading == heading else None

    def ask(self, question: object, *, history: object = None, top_k: int = DEFAULT_TOP_K) -> Answer:
        started = time.perf_counter()
        text = clean_question(question)
        earlier = clean_history(history)
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        language = detect_language(text)
        timings: dict = {}
        depth = max(top_k, self.options.rerank_depth) if self.reranker else top_k
        retrieval = self.retriever.search(search_text(text), depth, history=earlier, mode=self.options.retrieval,
                                          timings=timings)
        hits = retrieval.hits
        if self.reranker:
            started_rerank = time.perf_counter()
            hits = self.reranker.rerank(text, hits)
            timings["rerank_ms"] = (time.perf_counter() - started_rerank) * 1000
        hits = hits[:top_k]

        extract_started = time.perf_counter()
        sentences: list[AnswerSentence] = []
        abstained = retrieval_is_weak(retrieval, self.options)
        if not abstained:
            signed = signature_answer(text, hits, self._hit_document) if self.options.extraction == "sentences" \
                else None
            if signed is not None:  # "Wie heeft de brief ondertekend?": the letter's signature (qa.signature)
                hits, sentences = signed[0], [signed[1]]
            elif self.options.extraction == "sentences":
                asked = Question.of(text, earlier if retrieval.follow_up else None)
                if not self.reranker:  # a cross-encoder has already judged which passage answers
                    hits = rerank(asked, hits)
                sentences = extract_answer(asked, hits, previous=self.previous_text)
                sentences = supported_sentences(asked, sentences, hits, retrieval.follow_up, self.options,
                                                section=self.section_text)
                hits, sentences = answer_passage_first(hits, sentences)
                hits, sentences = cite_quoted_sources(hits, sentences, self.source_of, top_k)
                sentences.sort(key=lambda s: (s.passage, s.start))  # reading order
            else:
                sentences = lead_sentence(hits)
            abstained = not sentences  # nothing quotable, or a near miss
        citations = sorted({s.passage for s in sentences} | {s.lead_at[0] for s in sentences if s.lead_at})
        answer_text = " ".join(quoted(s) for s in sentences) if sentences else NOTHING_FOUND
        if language.notice:
            answer_text = f"{language.notice}\n\n{answer_text}"
        timings["answer_ms"] = (time.perf_counter() - extract_started) * 1000
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Answer(
            question=text, language=language, text=answer_text, citations=citations,
            abstained=abstained, hits=hits, sentences=sentences, timings=timings,
            index_version=self.snapshot.version, model=self.snapshot.manifest.get("model", ""),
        )

"""Answers one question from one index snapshot: the heart of every way in."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from index.embedder import Embedder
from index.store import IndexSnapshot

from .extract import AnswerSentence, extract_answer
from .language import Language, detect_language
from .question import clean_history, clean_question
from .retriever import DenseRetriever, Hit

NOTHING_FOUND = "Ik heb hierover niets gevonden in de documenten."
DEFAULT_TOP_K = 5
MAX_TOP_K = 20
# Cosine of the best passage below which the evidence counts as noise.
# Calibrated on the dev sets with `vraagbaak evaluate` (see docs/quality.md).
DEFAULT_ABSTAIN_THRESHOLD = 0.80


def abstain_threshold() -> float:
    return float(os.environ.get("VRAAGBAAK_ABSTAIN_THRESHOLD", DEFAULT_ABSTAIN_THRESHOLD))


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
                    {"passage": s.passage, "start": s.start, "end": s.end} for s in self.sentences
                ],
            },
            "abstained": self.abstained,
            "passages": [passage_dict(hit) for hit in self.hits],
            "timings_ms": {k: round(v, 2) for k, v in self.timings.items()},
            "index": {"version": self.index_version, "model": self.model},
        }


def passage_dict(hit: Hit) -> dict:
    c = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.score, 4),
        "text": c.text,
        "source": {
            "document": c.doc_id,
            "title": c.title,
            "heading": c.heading,
            "paragraph": c.paragraph,
            "lines": [c.line_start, c.line_end],
            "page": c.page,
            "span": [c.start, c.end],
        },
    }


class Answerer:
    def __init__(self, snapshot: IndexSnapshot, embedder: Embedder, *, threshold: float | None = None):
        self.snapshot = snapshot
        self.retriever = DenseRetriever(snapshot, embedder)
        self.threshold = abstain_threshold() if threshold is None else threshold

    def ask(self, question: object, *, history: object = None, top_k: int = DEFAULT_TOP_K) -> Answer:
        started = time.perf_counter()
        text = clean_question(question)
        clean_history(history)  # validated now; used for follow-ups by retrieval
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        language = detect_language(text)
        timings: dict = {}
        hits = self.retriever.search(text, top_k, timings)

        extract_started = time.perf_counter()
        abstained = not hits or hits[0].score < self.threshold
        sentences = [] if abstained else extract_answer(text, hits)
        if abstained:
            answer_text, citations = NOTHING_FOUND, []
        else:
            citations = sorted({s.passage for s in sentences})
            answer_text = " ".join(f"{s.text} [{s.passage}]" for s in sentences)
        if language.notice:
            answer_text = f"{language.notice}\n\n{answer_text}"
        timings["answer_ms"] = (time.perf_counter() - extract_started) * 1000
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Answer(
            question=text, language=language, text=answer_text, citations=citations,
            abstained=abstained, hits=hits, sentences=sentences, timings=timings,
            index_version=self.snapshot.version, model=self.snapshot.manifest.get("model", ""),
        )

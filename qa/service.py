"""Answers one question from one index snapshot: the heart of every way in."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from index.embedder import Embedder
from index.backends import Backend

from .extract import AnswerSentence, extract_answer, lead_sentence, rerank
from .language import Language, detect_language
from .options import AnswerOptions
from .question import clean_history, clean_question
from .reranker import load_reranker
from .retrieval import Hit, Retriever

NOTHING_FOUND = "Ik heb hierover niets gevonden in de documenten."
DEFAULT_TOP_K = 5
MAX_TOP_K = 20


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
        "score": round(hit.dense_score, 4),
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
    def __init__(self, snapshot: Backend, embedder: Embedder, options: AnswerOptions | None = None):
        self.snapshot = snapshot
        self.retriever = Retriever(snapshot, embedder)
        self.options = options or AnswerOptions.from_env()
        self.reranker = load_reranker(self.options.reranker) if self.options.reranker else None

    def ask(self, question: object, *, history: object = None, top_k: int = DEFAULT_TOP_K) -> Answer:
        started = time.perf_counter()
        text = clean_question(question)
        earlier = clean_history(history)
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        language = detect_language(text)
        timings: dict = {}
        depth = max(top_k, self.options.rerank_depth) if self.reranker else top_k
        retrieval = self.retriever.search(text, depth, history=earlier, mode=self.options.retrieval,
                                          timings=timings)
        hits = retrieval.hits
        if self.reranker:
            started_rerank = time.perf_counter()
            hits = self.reranker.rerank(text, hits)
            timings["rerank_ms"] = (time.perf_counter() - started_rerank) * 1000
        hits = hits[:top_k]

        extract_started = time.perf_counter()
        abstained = self._abstains(retrieval)
        if abstained:
            sentences, answer_text, citations = [], NOTHING_FOUND, []
        else:
            if self.options.extraction == "sentences":
                if not self.reranker:  # a cross-encoder has already judged which passage answers
                    hits = rerank(text, hits)
                sentences = extract_answer(text, hits)
            else:
                sentences = lead_sentence(hits)
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

    def _abstains(self, retrieval) -> bool:
        """Weak evidence: no close passage, or the question's specific words are not in the corpus."""
        if not retrieval.hits:
            return True
        if retrieval.follow_up:
            # A follow-up's own words are few by nature; the conversation carries its subject.
            return retrieval.best_dense < self.options.min_dense_score
        if retrieval.best_dense < self.options.min_dense_score:
            return True
        return (retrieval.coverage < self.options.min_coverage
                and retrieval.best_dense < self.options.coverage_waived_above)

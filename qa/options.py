"""How a question is answered: which retrieval, which second stage, which answer extraction."""

from __future__ import annotations

from dataclasses import dataclass

from index import settings as configured
from index.settings import Settings

RETRIEVAL_MODES = ("dense", "lexical", "hybrid")
EXTRACTION_MODES = ("sentences", "lead")

# Abstention. Below MIN_DENSE_SCORE (cosine of the closest passage) evidence
# is noise. Between it and COVERAGE_WAIVED_ABOVE, the question must also find
# at least MIN_COVERAGE of its specific words (IDF-weighted) in the corpus: a
# question about passports over documents that never say "paspoort" is not
# answered by a passage that merely sounds alike. Chosen on the dev sets'
# score distributions (docs/quality.md); settings, not constants of the code.
DEFAULT_MIN_DENSE_SCORE = configured.DEFAULT_MIN_DENSE_SCORE
DEFAULT_MIN_COVERAGE = configured.DEFAULT_MIN_COVERAGE
DEFAULT_COVERAGE_WAIVED_ABOVE = configured.DEFAULT_COVERAGE_WAIVED_ABOVE
# A question asking for a number, amount or date is a near miss when its answer
# sentence holds less than MIN_SENTENCE_SUPPORT of its words (weighted) and
# the answer passage less than MIN_PASSAGE_SUPPORT (qa.abstention).
DEFAULT_MIN_SENTENCE_SUPPORT = 0.26
DEFAULT_MIN_PASSAGE_SUPPORT = 0.6
# A cross-encoder costs one model call per passage; 20 keeps an ask under a
# second on two cores for a small model while reaching past the top 10.
DEFAULT_RERANK_DEPTH = configured.DEFAULT_RERANK_DEPTH


@dataclass(frozen=True)
class AnswerOptions:
    retrieval: str = "hybrid"
    extraction: str = "sentences"  # "lead": first sentence of the best passage, as a baseline
    min_dense_score: float = DEFAULT_MIN_DENSE_SCORE
    min_coverage: float = DEFAULT_MIN_COVERAGE
    coverage_waived_above: float = DEFAULT_COVERAGE_WAIVED_ABOVE
    min_sentence_support: float = DEFAULT_MIN_SENTENCE_SUPPORT
    min_passage_support: float = DEFAULT_MIN_PASSAGE_SUPPORT
    reranker: str | None = None  # a cross-encoder (qa.reranker); None: no second stage
    rerank_depth: int = DEFAULT_RERANK_DEPTH  # how many retrieved passages it reads
    offline: bool = True  # a cross-encoder named by hub name is only looked up locally

    def __post_init__(self):
        if self.retrieval not in RETRIEVAL_MODES:
            raise ValueError(f"retrieval must be one of {RETRIEVAL_MODES}")
        if self.extraction not in EXTRACTION_MODES:
            raise ValueError(f"extraction must be one of {EXTRACTION_MODES}")
        if self.rerank_depth < 1:
            raise ValueError("rerank_depth must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> "AnswerOptions":
        return cls(
            retrieval=settings.retrieval,
            min_dense_score=settings.abstain_threshold,
            min_coverage=settings.min_coverage,
            coverage_waived_above=settings.coverage_waived_above,
            reranker=settings.reranker,
            rerank_depth=settings.rerank_depth,
            offline=settings.hf_hub_offline,
        )

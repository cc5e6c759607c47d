"""Finds the passages for a question: dense and Dutch lexical search, fused.

Dense search (the embedding model) finds paraphrases; lexical search (BM25
with Dutch stemming and compound parts) finds exact names, numbers and rare
words. Their rankings are combined with weighted reciprocal-rank fusion,
together with a third ranking: of the candidates' documents, each by its best
passage (`document_ranks`), so the other passages of the document that holds
the closest one are lifted. Titles and headings take part through the indexed texts
(index.build.passage_text and lexical_text). The dense ranking discounts
passages that are close to everything (`locally_scaled`), and which of a
document's passages fill its places is decided with more lexical weight
(`within_documents`).

A follow-up question ("En wie is daar wethouder?") is searched twice,
alone and together with the previous question, and both rankings are fused,
with a third: the passages near the earlier answer (`near_the_earlier_answer`).
A question that starts a new subject is searched alone.
"""

from __future__ import annotations

import heapq
import re
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from index.embedder import Embedder
from index.errors import ModelMismatch
from index.backends import Backend, Candidates
from index.types import Chunk

# Fusion settings, chosen on the dev sets (docs/quality.md records how).
CANDIDATES = 50
RRF_K = 10  # small: the first few ranks of each list matter most
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.3  # lexical evidence settles near-ties of the dense ranking
DOCUMENT_WEIGHT = 0.3  # rank of the chunk's document by its best passage (document_ranks)
# Each passage a document already has in the list divides the next one's score
# by (1 + decay × count): a second passage from the same document must be
# clearly stronger than the best passage of another document to go first.
DOCUMENT_REPEAT_DECAY = 0.5
CONTEXT_WEIGHT = 1.0  # the conversation (previous question + this one), for follow-ups
# A follow-up: a ranking of the earlier answer's document by distance to the
# passage that answered, fused with this weight (docs/quality.md).
PROXIMITY_WEIGHT = 1.0
# Dense ranking: a passage's cosine minus this share of its hubness, its mean
# similarity to its nearest other passages (index.neighbours): generic
# passages (closing formulas, letterheads, introductions) stop crowding out
# the one that answers.
HUB_WEIGHT = 0.4
# Which passages of a document fill that document's places in the list: the
# lexical ranking weighs as much as the dense one there. Between passages of
# one document the exact words decide, where the model's cosines lie close
# together; which documents come first stays with the fusion above.
WITHIN_DOCUMENT_LEXICAL_WEIGHT = 1.0
# ... unless the question shares less than this share of its content words
# with the passage lexical search ranks first: then it says in its own words
# what the text says in others (a paraphrase), the exact words that do match
# are incidental, and they weigh this much there (docs/quality.md).
FEW_SHARED_WORDS = 0.5
FEW_SHARED_WORDS_WEIGHT = 0.3

# Words that make a Dutch question lean on an earlier one.
_FOLLOW_UP_START = re.compile(r"^\s*(en|maar|ook|dus|daarnaast|verder|en hoe|hoe zit het)\b", re.I)
_ANAPHORA = re.compile(
    r"\b(die|deze|dit|dat|daar|daarop|daarvan|daarmee|daarvoor|daarbij|daarover|hiervan|hierover|hiermee|"
    r"ze|zij|hij|hun|hen|haar|hem|er)\b", re.I)
_SHORT_QUESTION_TERMS = 3


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused ranking score
    rank: int  # 1-based
    dense_score: float  # cosine between question and passage


@dataclass
class Retrieval:
    hits: list[Hit]
    best_dense: float  # highest cosine among the candidates
    coverage: float  # IDF-weighted share of the question's words found in the corpus
    follow_up: bool


def check_compatible(snapshot: Backend, embedder: Embedder) -> None:
    """Vectors from another model live in another space: refuse, don't return noise."""
    built_with = snapshot.manifest.get("model")
    if built_with != embedder.model_id or snapshot.manifest.get("dimension") != embedder.dimension:
        raise ModelMismatch(
            f"De index is gebouwd met model '{built_with}' ({snapshot.manifest.get('dimension')} dimensies), "
            f"maar het ingestelde model is '{embedder.model_id}' ({embedder.dimension} dimensies). "
            "Bouw de index opnieuw met het ingestelde model, of stel het model van de index in."
        )


def is_follow_up(question: str, history: list[str], content_terms) -> bool:
    if not history:
        return False
    return bool(_FOLLOW_UP_START.search(question) or _ANAPHORA.search(question)
                or len(set(content_terms(question))) <= _SHORT_QUESTION_TERMS)


class Retriever:
    def __init__(self, snapshot: Backend, embedder: Embedder):
        check_compatible(snapshot, embedder)
        self.snapshot = snapshot
        self.embedder = embedder

    def search(self, question: str, k: int, *, history: list[str] | None = None, mode: str = "hybrid",
               timings: dict | None = None) -> Retrieval:
        timings = {} if timings is None else timings
        history = history or []
        follow_up = is_follow_up(question, history, self.snapshot.analyzer.content_terms)
        queries = [(question, 1.0)]
        if follow_up:
            queries.append((f"{history[-1]} {question}", CONTEXT_WEIGHT))
        # A follow-up also asks the earlier question again, as it was asked then
        # (with its own earlier question where it leaned on one), to find the
        # earlier answer; all questions are embedded in one batch.
        earlier: list[tuple[str, float]] = []
        if follow_up and PROXIMITY_WEIGHT > 0:
            earlier = [(history[-1], 1.0)]
            if is_follow_up(history[-1], history[:-1], self.snapshot.analyzer.content_terms):
                earlier.append((f"{history[-2]} {history[-1]}", CONTEXT_WEIGHT))
        texts = [q for q, _ in queries + earlier]

        started = time.perf_counter()
        vectors = self.embedder.encode_queries(texts)
        timings["embed_ms"] = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        anchor = None
        if earlier:
            before, before_order, _ = self._ranked(earlier, vectors[len(queries):], 1, mode)
            anchor = before.chunks[before_order[0]] if before_order else None
        found, order, fused = self._ranked(queries, vectors[: len(queries)], k, mode, anchor=anchor,
                                           own_words=not follow_up)
        cosines = found.vectors @ vectors[0] if found.ids else np.zeros(0)
        dense_by_id = dict(zip(found.ids, cosines.tolist()))
        hits = [Hit(found.chunks[i], fused[i], rank, dense_by_id[i]) for rank, i in enumerate(order, 1)]
        timings["search_ms"] = (time.perf_counter() - started) * 1000
        return Retrieval(hits, max(dense_by_id.values(), default=0.0), found.coverage, follow_up)

    def _ranked(self, queries: list[tuple[str, float]], vectors: np.ndarray, k: int, mode: str, *,
                anchor: Chunk | None = None, own_words: bool = False) -> tuple[Candidates, list[int], dict[int, float]]:
        """The candidates, the ids of the top k passages in order, and every candidate's fused score.

        With an `anchor` (a follow-up's earlier answer), the passages near it
        form one more ranking (near_the_earlier_answer). With `own_words` (a
        question that stands alone), a paraphrase fills its documents' places
        with less lexical weight (within_document_lexical_weight).
        """
        rank_documents = mode == "hybrid" and DOCUMENT_WEIGHT > 0
        found = self.snapshot.search(
            [q for q, _ in queries], vectors, min(CANDIDATES, self.snapshot.size),
            dense=mode in ("dense", "hybrid"), lexical=mode in ("lexical", "hybrid"))
        weights = [w for _, w in queries]
        candidates = found.ids
        dense = locally_scaled(found, vectors)
        fused = _reciprocal_rank_fusion(
            [(ids, DENSE_WEIGHT * w) for ids, w in zip(dense, weights)]
            + [(ids, LEXICAL_WEIGHT * w) for ids, w in zip(found.lexical, weights)])
        if rank_documents and candidates:
            # For a follow-up, documents are ranked against the whole conversation.
            fused = _add_document_ranks(fused, document_ranks(found, vectors[-1]))
        if anchor is not None and candidates:
            fused = _reciprocal_rank_fusion([(near_the_earlier_answer(found, anchor), PROXIMITY_WEIGHT)], into=fused)
        ranked = sorted(candidates, key=lambda i: (-fused[i], i))
        chunks = found.chunks
        # A passage of only links answers nothing (index.chunker.is_reference_only).
        evidence = [i for i in ranked[: k * 4] if i in chunks and chunks[i].kind != "reference"]
        order = diversify(evidence, fused, chunks, k)
        if mode == "hybrid":
            lexical = (within_document_lexical_weight(queries[0][0], found, self.snapshot.analyzer.content_terms)
                       if own_words else WITHIN_DOCUMENT_LEXICAL_WEIGHT)
            within = _reciprocal_rank_fusion(
                [(ids, DENSE_WEIGHT * w) for ids, w in zip(dense, weights)]
                + [(ids, lexical * w) for ids, w in zip(found.lexical, weights)])
            order = within_documents(order, evidence, within, chunks)
        return found, order, fused


def locally_scaled(found: Candidates, vectors: np.ndarray) -> list[np.ndarray]:
    """Each query's dense ranking, ordered by cosine minus HUB_WEIGHT × the passage's hubness.

    The backend ranks by cosine alone; a passage that is close to everything
    (index.neighbours) is close to this question for no reason of its
    own. The candidates stay the same; only their order changes.
    """
    if HUB_WEIGHT <= 0 or not found.hubness:
        return found.dense
    row_of = {chunk_id: row for row, chunk_id in enumerate(found.ids)}
    rankings = []
    for ranking, vector in zip(found.dense, vectors):
        if not len(ranking):
            rankings.append(ranking)
            continue
        cosines = found.vectors[[row_of[int(i)] for i in ranking]] @ vector
        hubs = np.array([found.hubness.get(int(i), 0.0) for i in ranking], dtype=np.float32)
        rankings.append(np.asarray(ranking)[np.argsort(-(cosines - HUB_WEIGHT * hubs), kind="stable")])
    return rankings


def within_document_lexical_weight(question: str, found: Candidates, content_terms) -> float:
    """How much the exact words decide which passages fill a document's places, for this question.

    WITHIN_DOCUMENT_LEXICAL_WEIGHT, unless the question shares less than
    FEW_SHARED_WORDS of its content words (stems) with the passage that
    lexical search ranks first (with its heading): such a question is a
    paraphrase, and the words it happens to share with a passage say little
    about which passage answers it.
    """
    asked = set(content_terms(question))
    best = found.chunks.get(int(found.lexical[0][0])) if found.lexical and len(found.lexical[0]) else None
    if not asked or best is None:
        return WITHIN_DOCUMENT_LEXICAL_WEIGHT
    shared = asked & set(content_terms(f"{best.heading or ''} {best.text}"))
    return FEW_SHARED_WORDS_WEIGHT if len(shared) < FEW_SHARED_WORDS * len(asked) else WITHIN_DOCUMENT_LEXICAL_WEIGHT


def within_documents(order: list[int], evidence: list[int], scores: dict[int, float],
                     chunks: dict[int, Chunk]) -> list[int]:
    """The same documents in the same places, each filled with its own passages best first by `scores`.

    `order` says where each document's passages go (diversify); which of the
    document's candidates (`evidence`) fill those places is decided by
    `scores`, a fusion that weighs the question's exact words more.
    """
    pools: dict[tuple, list[int]] = defaultdict(list)
    for chunk_id in evidence:
        pools[chunks[chunk_id].document_key].append(chunk_id)
    for pool in pools.values():
        pool.sort(key=lambda i: (-scores.get(i, 0.0), i))
    used: dict[tuple, int] = defaultdict(int)
    filled = []
    for chunk_id in order:
        document = chunks[chunk_id].document_key
        filled.append(pools[document][used[document]])
        used[document] += 1
    return filled


def near_the_earlier_answer(found: Candidates, anchor: Chunk) -> np.ndarray:
    """The candidates of the earlier answer's document, nearest paragraph first.

    A conversation stays with its subject: "Aan welke universiteit zitten ze?"
    after a question about two researchers is about the article that named
    them, and the passage that answers usually lies a few paragraphs from the
    one that answered before. The earlier answer is found again by asking the
    earlier question (the service keeps no state between questions).
    """
    same = [i for i in found.ids if i in found.chunks and found.chunks[i].document_key == anchor.document_key]
    same.sort(key=lambda i: (abs(found.chunks[i].paragraph - anchor.paragraph), i))
    return np.array(same, dtype=np.int64)


def document_ranks(found: Candidates, vector: np.ndarray) -> dict[int, int]:
    """For each candidate: the 1-based rank of its document, by the best of its passages among the candidates.

    A document is as close to the question as its closest passage (cosine less
    HUB_WEIGHT × hubness, as the dense ranking orders them): "MaxP" (Dai &
    Callan 2019). It replaced each document's centroid, the mean of all its
    passage vectors, in session 18: a long document about many things has a
    centroid close to none of them, and the centroid ranked it below a short
    one that merely shares its subject (docs/quality.md).
    """
    if not found.ids:
        return {}
    closeness = found.vectors @ vector
    best: dict[tuple, float] = {}
    for row, chunk_id in enumerate(found.ids):
        chunk = found.chunks.get(chunk_id)
        if chunk is None:
            continue
        score = float(closeness[row]) - HUB_WEIGHT * found.hubness.get(chunk_id, 0.0)
        key = chunk.document_key
        if score > best.get(key, -np.inf):
            best[key] = score
    rank_of = {key: rank for rank, key in enumerate(sorted(best, key=lambda key: -best[key]), 1)}
    return {chunk_id: rank_of[found.chunks[chunk_id].document_key] for chunk_id in found.ids
            if chunk_id in found.chunks}


def _add_document_ranks(fused: dict[int, float], ranks: dict[int, int]) -> dict[int, float]:
    """Lift chunks of the documents closest to the question (RRF over document ranks)."""
    return {i: s + (DOCUMENT_WEIGHT / (RRF_K + ranks[i]) if i in ranks else 0.0) for i, s in fused.items()}


def diversify(ranked: list[int], scores: dict[int, float], chunks: dict[int, Chunk],
               k: int) -> list[int]:
    """The top k passages in order, each document's later passages decayed.

    One long document can otherwise fill the list with near-copies of one point,
    hiding the other documents a reader should see. A soft decay, unlike a hard
    cap, still lets a document with several strong passages show them. The decay
    orders the list only: each passage keeps its own score, which answer
    extraction weighs.
    """
    seen: dict[tuple, int] = defaultdict(int)
    # Decay only lowers scores, so a lazily updated heap gives the exact greedy order.
    heap = [(-scores[i], position, i, 0) for position, i in enumerate(ranked)]
    heapq.heapify(heap)
    taken: list[int] = []
    while heap and len(taken) < k:
        _, position, chunk_id, counted = heapq.heappop(heap)
        doc = chunks[chunk_id].document_key
        if counted != seen[doc]:  # its document gained a passage since this entry was scored
            decayed = scores[chunk_id] / (1.0 + DOCUMENT_REPEAT_DECAY * seen[doc])
            heapq.heappush(heap, (-decayed, position, chunk_id, seen[doc]))
            continue
        seen[doc] += 1
        taken.append(chunk_id)
    return taken


def _reciprocal_rank_fusion(rankings: list[tuple[np.ndarray, float]],
                            into: dict[int, float] | None = None) -> dict[int, float]:
    """Weighted RRF: robust to the different scales of cosines and BM25 scores (added to `into`)."""
    scores: dict[int, float] = defaultdict(float, into or {})
    for ids, weight in rankings:
        for rank, chunk_id in enumerate(ids.tolist(), 1):
            scores[int(chunk_id)] += weight / (RRF_K + rank)
    return dict(scores)

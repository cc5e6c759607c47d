"""BM25 as sparse vectors: Vraagbaak's own Dutch analysis, scored by Milvus as an inner product.

index.lexical stores, per (term, chunk), the BM25 document-side weight
idf(t) * tf-saturation(t, chunk). With those weights as the chunk's sparse
vector and the query's term weights qw (1 for a word, the part weight for a
term that is only a compound part) as the query vector, the inner product is
exactly LexicalIndex.search's score. The analysis (folding, stopwords,
Snowball, compounds with the corpus lexicon) runs here, in Vraagbaak, so it is
the same as in the local backend; Milvus only adds up weights.

Sparse dimensions: a term's dimension is the position of its 64-bit hash in
the version's sorted hash list. Each version stores that list with the
document frequencies (for query_coverage) and the compound lexicon, so a
replica needs no local files: it loads them once per opened version,
12 bytes per term.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np

from ...analysis import ANALYZER_VERSION, DutchAnalyzer
from ...errors import IndexCorrupt, VraagbaakError
from ...lexical import LexicalIndex, query_coverage


def term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


class Vocabulary:
    """The terms of one version: sorted 64-bit hashes (dimension = position) and document frequencies."""

    def __init__(self, hashes: np.ndarray, df: np.ndarray, n_docs: int):
        self.hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        self.df_counts = np.ascontiguousarray(df, dtype=np.int64)
        self.n_docs = int(n_docs)
        if len(self.hashes) != len(self.df_counts) or np.any(self.hashes[1:] <= self.hashes[:-1]):
            raise IndexCorrupt("De woordenlijst van de index in Milvus is beschadigd; bouw de index opnieuw.")

    @classmethod
    def from_lexical(cls, lexical: LexicalIndex) -> tuple[Vocabulary, np.ndarray]:
        """The vocabulary and, per LexicalIndex column, its sparse dimension."""
        hashes = np.fromiter((term_hash(t) for t in lexical.vocabulary), dtype=np.uint64,
                             count=len(lexical.vocabulary))
        order = np.argsort(hashes, kind="stable")
        sorted_hashes = hashes[order]
        if len(sorted_hashes) > 1 and np.any(sorted_hashes[1:] == sorted_hashes[:-1]):
            # Two terms with one 64-bit hash: about once in 10^7 builds of a million terms.
            raise VraagbaakError("Twee zoektermen hebben dezelfde hashwaarde; de index kan niet in Milvus "
                                 "worden opgeslagen. Meld dit aan de ontwikkelaars.")
        dimension = np.empty(len(hashes), dtype=np.int64)
        dimension[order] = np.arange(len(hashes))
        df = np.diff(np.asarray(lexical.indptr, dtype=np.int64))[order]
        return cls(sorted_hashes, df, lexical.n_docs), dimension

    def dimension(self, term: str) -> int | None:
        h = np.uint64(term_hash(term))
        pos = int(np.searchsorted(self.hashes, h))
        return pos if pos < len(self.hashes) and self.hashes[pos] == h else None

    def df(self, term: str) -> int:
        pos = self.dimension(term)
        return 0 if pos is None else int(self.df_counts[pos])

    def query_vector(self, analyzer: DutchAnalyzer, text: str) -> dict[int, float]:
        """The query's known terms with their weights, as LexicalIndex.search weighs them."""
        vector = {}
        for term, weight in analyzer.weighted_query_terms(text).items():
            pos = self.dimension(term)
            if pos is not None:
                vector[pos] = float(np.float32(weight))
        return vector

    def coverage(self, analyzer: DutchAnalyzer, text: str) -> float:
        return query_coverage(analyzer, text, self.df, self.n_docs)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez(out, hashes=self.hashes, df=self.df_counts)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, n_docs: int) -> Vocabulary:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                return cls(arrays["hashes"], arrays["df"], n_docs)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorrupt("De woordenlijst van de index in Milvus is onleesbaar; bouw de index opnieuw.") \
                from exc


def sparse_rows(lexical: LexicalIndex, dimension: np.ndarray) -> list[dict[int, float]]:
    """Per chunk, {sparse dimension: BM25 weight}; the postings turned from per term to per chunk."""
    indptr = np.asarray(lexical.indptr, dtype=np.int64)
    docs = np.asarray(lexical.docs)
    weights = np.asarray(lexical.weights, dtype=np.float32)
    dims = np.repeat(dimension, np.diff(indptr))
    order = np.argsort(docs, kind="stable")
    docs, dims, weights = docs[order], dims[order], weights[order]
    bounds = np.searchsorted(docs, np.arange(lexical.n_docs + 1))
    dims_list, weights_list = dims.tolist(), weights.tolist()
    return [dict(zip(dims_list[a:b], weights_list[a:b])) for a, b in zip(bounds[:-1], bounds[1:])]


def analyzer_from(settings: dict, lexicon_text: str) -> DutchAnalyzer:
    settings = dict(settings)
    if settings.pop("version", None) != ANALYZER_VERSION:
        raise IndexCorrupt("De index in Milvus is met een andere taalanalyse gebouwd; bouw de index opnieuw.")
    return DutchAnalyzer((w for w in lexicon_text.split("\n") if w), **settings)


def lexicon_text(analyzer: DutchAnalyzer) -> str:
    return "\n".join(sorted(analyzer.lexicon))

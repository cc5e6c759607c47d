"""Building the BM25 postings of index.lexical: the stages of `LexicalIndex.build`.

Texts become numbered analyzer units, each distinct unit is analysed once,
the units are expanded into a (term id, weight) stream, and the stream into
term-major postings with their BM25 weights. Memory stays a few arrays the
size of the stream; each is freed as soon as the next stage has it.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Sequence
from itertools import count

import numpy as np

from .analysis import DutchAnalyzer, term_units


def bm25_idf(df: np.ndarray | int, n_docs: int) -> np.ndarray | float:
    """BM25 idf (the Lucene variant) of document frequencies `df` among `n_docs` texts."""
    return np.log1p((n_docs - np.asarray(df, dtype=np.float64) + 0.5) / (np.asarray(df, dtype=np.float64) + 0.5))


def number_units(texts: Sequence[str]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Each text as a sequence of analyzer units (words, joined hyphenated words), numbered in order of
    first appearance: (unit -> number, the numbers of all texts in a row, units per text).

    A corpus repeats its words, so analysing each distinct unit once instead of
    every occurrence makes building several times faster; the (term, weight)
    stream made from it is exactly that of analyzer.weighted_terms per text. A
    missing unit gets the next number (in C: no Python code per word).
    """
    unit_ids: defaultdict[str, int] = defaultdict(count().__next__)
    number = unit_ids.__getitem__
    sequence = array("i")
    units_per_doc = np.zeros(len(texts), dtype=np.int64)
    for d, text in enumerate(texts):
        units = term_units(text)
        sequence.extend(map(number, units))
        units_per_doc[d] = len(units)
    return unit_ids, np.frombuffer(sequence, dtype=np.int32), units_per_doc


def analyse_units(unit_ids: dict[str, int], analyzer: DutchAnalyzer):
    """Every distinct unit's (term id, weight) pairs, with its number of pairs and of whole words.

    Terms get their column in order of first appearance in the texts. A term
    first appears in the first occurrence of some unit, so walking the distinct
    units in order of first appearance numbers them the same.
    """
    vocab: dict[str, int] = {}
    unit_tids = array("i")
    unit_weights = array("f")
    unit_sizes = np.zeros(len(unit_ids), dtype=np.int64)
    unit_whole = np.zeros(len(unit_ids), dtype=np.int64)  # terms counted in |d|
    for u, unit in enumerate(unit_ids):
        pairs = analyzer.unit_terms(unit)
        whole = 0
        for term, w in pairs:
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
            unit_tids.append(tid)
            unit_weights.append(w)
            if w >= 1.0:
                whole += 1
        unit_sizes[u] = len(pairs)
        unit_whole[u] = whole
    return (vocab, np.frombuffer(unit_tids, dtype=np.int32), np.frombuffer(unit_weights, dtype=np.float32),
            unit_sizes, unit_whole)


def bm25_postings(stream: list[np.ndarray], n_terms: int, n_docs: int, *, k1: float, b: float):
    """The term-major postings (indptr, docs, BM25 weights) and avgdl of the (term id, weight) stream.

    `stream` is expand_units' result as a list, emptied here: each array is
    freed as soon as it is used, not when the build returns.
    """
    term_ids, term_weights, counts, lengths = stream
    stream.clear()
    avgdl = float(lengths.mean()) if n_docs and lengths.sum() > 0 else 1.0
    tids = term_ids.astype(np.int64)
    del term_ids
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), counts)
    keys = tids * max(n_docs, 1) + doc_of  # term-major: sorting gives CSC order
    del tids, doc_of
    ukeys, inverse = np.unique(keys, return_inverse=True)
    del keys
    tf = np.bincount(inverse, weights=term_weights, minlength=len(ukeys))
    del inverse
    col = ukeys // max(n_docs, 1)
    docs = (ukeys % max(n_docs, 1)).astype(np.int32)
    del ukeys
    df = np.bincount(col, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    idf = bm25_idf(df, n_docs)
    norm = k1 * (1.0 - b + b * lengths / avgdl)
    weights = (idf[col] * tf * (k1 + 1.0) / (tf + norm[docs])).astype(np.float32)
    return indptr, docs, weights, avgdl


def expand_units(
    sequence: np.ndarray,
    units_per_doc: np.ndarray,
    unit_sizes: np.ndarray,
    unit_whole: np.ndarray,
    unit_tids: np.ndarray,
    unit_weights: np.ndarray,
    *,
    block: int = 1 << 21,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The (term id, weight) of every pair, in text order, and per text its pairs and |d|.

    `sequence` holds the unit ids of all texts one after another,
    `units_per_doc` how many belong to each text; unit u has the
    `unit_sizes[u]` pairs from position `sum(unit_sizes[:u])` of `unit_tids`
    and `unit_weights`, of which `unit_whole[u]` count in |d|. Works through
    whole texts, about `block` units at a time, so the temporary index arrays
    stay small next to the result for a large corpus.
    """
    n_docs = len(units_per_doc)
    unit_starts = np.zeros(len(unit_sizes) + 1, dtype=np.int64)
    np.cumsum(unit_sizes, out=unit_starts[1:])
    total = int(np.bincount(sequence, minlength=len(unit_sizes)) @ unit_sizes) if len(sequence) else 0
    term_ids = np.empty(total, dtype=np.int32)
    term_weights = np.empty(total, dtype=np.float32)
    counts = np.zeros(n_docs, dtype=np.int64)
    lengths = np.zeros(n_docs, dtype=np.float64)
    doc_ends = np.cumsum(units_per_doc)
    first_doc = first_unit = written = 0
    while first_doc < n_docs:
        end_doc = max(first_doc + 1, int(np.searchsorted(doc_ends, first_unit + block, side="right")))
        end_unit = int(doc_ends[end_doc - 1])
        units = sequence[first_unit:end_unit]
        sizes = unit_sizes[units]
        pair_ends = np.cumsum(sizes)
        # Per text of the block: differences of running totals at its first and last unit.
        text_ends = doc_ends[first_doc:end_doc] - first_unit
        text_starts = text_ends - units_per_doc[first_doc:end_doc]
        running = np.concatenate(([0], pair_ends))
        counts[first_doc:end_doc] = running[text_ends] - running[text_starts]
        running = np.concatenate(([0], np.cumsum(unit_whole[units])))
        lengths[first_doc:end_doc] = running[text_ends] - running[text_starts]
        n = int(pair_ends[-1]) if len(pair_ends) else 0
        positions = np.arange(n, dtype=np.int64)
        positions += np.repeat(unit_starts[units] - (pair_ends - sizes), sizes)
        term_ids[written:written + n] = unit_tids[positions]
        term_weights[written:written + n] = unit_weights[positions]
        written += n
        first_doc, first_unit = end_doc, end_unit
    return term_ids, term_weights, counts, lengths

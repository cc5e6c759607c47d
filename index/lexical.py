"""BM25 lexical retrieval over the chunk texts, next to the dense (FAISS) index.

`LexicalIndex.build(texts, analyzer)` indexes the texts with a `DutchAnalyzer`
(index.analysis); ids are the positions of the texts in that list, the same
row numbers as the FAISS index. `search(query, k)` ranks by BM25 (Okapi, the
Lucene variant):

    score(d, q) = sum over query terms t of  qw(t) * idf(t) * tf(t, d) * (k1 + 1)
                                              / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))
    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

with k1 = 1.2 and b = 0.75. tf counts a whole word as 1 and a compound part
(or the joined form of a hyphenated word) as the analyzer's `part_weight`;
|d| counts the whole words only; qw is 1 for a query word and the analyzer's
`query_part_weight` (by default = `part_weight`, 0.5) for a term that occurs
in the query only as a compound part.

Storage: the per-(term, document) BM25 weight idf * tf-saturation is computed
at build time and kept as term -> documents postings (CSC layout), so a query
is a sum of a few posting slices (`np.bincount`), with no loop over documents.
Files in the index folder:

* `lexical.json`: format and version, analyzer settings, k1, b, counts, the
  vocabulary (term of each column, in column order) and the byte size of
  every array file (a cheap consistency check);
* `lexical.indptr.npy` (int64, terms + 1): postings of term t are
  positions indptr[t]:indptr[t+1] of the two arrays below;
* `lexical.docs.npy` (int32, postings): document ids, ascending per term;
* `lexical.weights.npy` (float32, postings): the BM25 weights;
* `lexical.lexicon.txt`: the analyzer's compound lexicon.

The arrays are plain .npy files, opened memory-mapped, so loading is fast at
any size and a query only touches the postings of its own terms. A missing,
truncated or inconsistent file raises `IndexCorrupt` with a Dutch message.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from . import lexical_postings as postings
from .analysis import ANALYZER_VERSION, DutchAnalyzer
from .errors import IndexCorrupt
from .lexical_postings import bm25_idf

FORMAT = "vraagbaak-lexical"
FORMAT_VERSION = 1
K1 = 1.2
B = 0.75

META_FILE = "lexical.json"
LEXICON_FILE = "lexical.lexicon.txt"
_ARRAYS = {
    "indptr": ("lexical.indptr.npy", np.int64),
    "docs": ("lexical.docs.npy", np.int32),
    "weights": ("lexical.weights.npy", np.float32),
}


class LexicalIndex:
    """A BM25 index of texts, with the analyzer that made it (see the module docstring)."""

    def __init__(
        self,
        analyzer: DutchAnalyzer,
        vocabulary: Sequence[str],
        indptr: np.ndarray,
        docs: np.ndarray,
        weights: np.ndarray,
        *,
        n_docs: int,
        avgdl: float,
        k1: float = K1,
        b: float = B,
    ):
        self.analyzer = analyzer
        self.vocabulary = list(vocabulary)
        self._term_ids = {t: i for i, t in enumerate(self.vocabulary)}
        self.indptr = indptr
        self.docs = docs
        self.weights = weights
        self.n_docs = int(n_docs)
        self.avgdl = float(avgdl)
        self.k1 = float(k1)
        self.b = float(b)

    def __len__(self) -> int:
        return self.n_docs

    # -- building -----------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        texts: Iterable[str],
        analyzer: DutchAnalyzer | None = None,
        *,
        k1: float = K1,
        b: float = B,
    ) -> LexicalIndex:
        """Index `texts` (id = position). Without an analyzer, one is learned from the texts.

        The texts are read once, in order; a sequence (one that makes each text
        when asked, as the build hands) is not copied into a list first.
        """
        if not isinstance(texts, Sequence):
            texts = list(texts)
        n_docs = len(texts)
        unit_ids, sequence, units_per_doc = postings.number_units(texts)
        if analyzer is None:
            # The same analyzer as DutchAnalyzer.learn(texts), without reading the texts again.
            occurrences = np.bincount(sequence, minlength=len(unit_ids)).tolist()
            analyzer = DutchAnalyzer.learn_units(zip(unit_ids, occurrences))
        vocab, unit_tids, unit_weights, unit_sizes, unit_whole = postings.analyse_units(unit_ids, analyzer)
        del unit_ids
        # Expand every unit occurrence into its terms: the (term id, weight) stream,
        # and per text its number of pairs and |d| (the whole words).
        stream = list(postings.expand_units(sequence, units_per_doc, unit_sizes, unit_whole, unit_tids, unit_weights))
        del sequence
        indptr, docs, weights, avgdl = postings.bm25_postings(stream, len(vocab), n_docs, k1=k1, b=b)
        vocabulary = [""] * len(vocab)
        for term, i in vocab.items():
            vocabulary[i] = term
        return cls(analyzer, vocabulary, indptr, docs, weights, n_docs=n_docs, avgdl=avgdl, k1=k1, b=b)

    # -- persistence --------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the index into `folder` (created if needed); the metadata file goes last."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        sizes = {}
        for key, (name, dtype) in _ARRAYS.items():
            tmp = folder / (name + ".tmp")
            with open(tmp, "wb") as fh:
                np.save(fh, np.ascontiguousarray(getattr(self, key), dtype=dtype))
            os.replace(tmp, folder / name)
            sizes[name] = (folder / name).stat().st_size
        tmp = folder / (LEXICON_FILE + ".tmp")
        self.analyzer.save_lexicon(tmp)
        os.replace(tmp, folder / LEXICON_FILE)
        sizes[LEXICON_FILE] = (folder / LEXICON_FILE).stat().st_size
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "analyzer": self.analyzer.config(),
            "k1": self.k1,
            "b": self.b,
            "n_docs": self.n_docs,
            "n_terms": len(self.vocabulary),
            "postings": int(self.docs.shape[0]),
            "avgdl": self.avgdl,
            "file_sizes": sizes,
            "vocabulary": self.vocabulary,
        }
        tmp = folder / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, folder / META_FILE)

    @classmethod
    def load(cls, folder: Path, *, mmap: bool = True) -> LexicalIndex:
        """Open a saved index (arrays memory-mapped); IndexCorrupt if anything is missing or off."""
        folder = Path(folder)
        meta = _read_meta(folder)
        try:
            settings = _analyzer_settings(meta)
            n_docs, n_terms, postings = int(meta["n_docs"]), int(meta["n_terms"]), int(meta["postings"])
            vocabulary = meta["vocabulary"]
            sizes = meta["file_sizes"]
            if not isinstance(vocabulary, list) or len(vocabulary) != n_terms:
                raise IndexCorrupt("de woordindex is beschadigd: de woordenlijst klopt niet")
            _check_file_sizes(folder, sizes)
            arrays = _open_arrays(folder, sizes, mmap)
            _check_arrays_fit(arrays, n_terms, postings)
            analyzer = DutchAnalyzer.load(folder / LEXICON_FILE, **settings)
            return cls(
                analyzer,
                vocabulary,
                arrays["indptr"],
                arrays["docs"],
                arrays["weights"],
                n_docs=n_docs,
                avgdl=float(meta["avgdl"]),
                k1=float(meta["k1"]),
                b=float(meta["b"]),
            )
        except IndexCorrupt:
            raise
        except FileNotFoundError as exc:
            raise IndexCorrupt(f"de woordindex is onvolledig: {Path(exc.filename or '').name} ontbreekt") from None
        except (OSError, ValueError, KeyError, TypeError, EOFError, AttributeError) as exc:
            raise IndexCorrupt("de woordindex is beschadigd en kan niet gelezen worden") from exc

    # -- querying -----------------------------------------------------------------------------

    def _postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self.indptr[term_id]), int(self.indptr[term_id + 1])
        return self.docs[start:end], self.weights[start:end]

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The up to k best (ids, scores), best first; only documents sharing a term with the query.

        A query without known terms (only stopwords, unknown words) gives two empty arrays.
        Equal scores are ordered by id.
        """
        empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))
        if k <= 0 or self.n_docs == 0:
            return empty
        doc_parts, weight_parts = [], []
        for term, qw in self.analyzer.weighted_query_terms(query).items():
            tid = self._term_ids.get(term)
            if tid is None:
                continue
            docs, weights = self._postings(tid)
            if docs.shape[0]:
                doc_parts.append(docs)
                weight_parts.append(weights if qw == 1.0 else weights * np.float32(qw))
        if not doc_parts:
            return empty
        docs = np.concatenate(doc_parts) if len(doc_parts) > 1 else np.asarray(doc_parts[0])
        weights = np.concatenate(weight_parts) if len(weight_parts) > 1 else np.asarray(weight_parts[0])
        if docs.shape[0] * 8 < self.n_docs:  # few candidates: score only those
            ids, inverse = np.unique(docs, return_inverse=True)
            scores = np.bincount(inverse, weights=weights)
        else:
            scores = np.bincount(docs, weights=weights, minlength=self.n_docs)
            ids = np.flatnonzero(scores)
            scores = scores[ids]
        if ids.shape[0] and (int(ids[-1]) >= self.n_docs or int(ids[0]) < 0):
            raise IndexCorrupt("de woordindex is beschadigd: verwijzing naar een onbekend tekstdeel")
        keep = scores > 0
        ids, scores = ids[keep], scores[keep]
        if ids.shape[0] > k:
            top = np.argpartition(-scores, k - 1)[:k]
            ids, scores = ids[top], scores[top]
        order = np.lexsort((ids, -scores))
        return ids[order].astype(np.int64), scores[order].astype(np.float32)

    def df(self, term: str) -> int:
        """Number of documents that contain an analyzed term (0 if never seen)."""
        tid = self._term_ids.get(term)
        return 0 if tid is None else int(self.indptr[tid + 1] - self.indptr[tid])

    def idf(self, term: str) -> float:
        """BM25 idf of an analyzed term (a stem); an unseen term gets the maximum idf."""
        return float(bm25_idf(self.df(term), self.n_docs))

    def query_coverage(self, query: str) -> float:
        """IDF-weighted share of the query's content words that occur in the index, in [0, 1]."""
        return query_coverage(self.analyzer, query, self.df, self.n_docs)


# -- loading, stage by stage (LexicalIndex.load) ----------------------------------------------
# Each stage raises IndexCorrupt with the Dutch reason it found; any other error of the stages
# after `_read_meta` (a missing key, a value of the wrong type) becomes IndexCorrupt in `load`.


def _read_meta(folder: Path) -> dict:
    """The parsed metadata file. It is written last by `save`, so its absence means no index
    (or one whose save never finished): "ontbreekt"; a file that cannot be read or parsed is
    "beschadigd". What it holds is not checked here."""
    try:
        return json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorrupt(f"de woordindex ontbreekt: {META_FILE} niet gevonden") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorrupt(f"de woordindex is beschadigd: {META_FILE} is onleesbaar") from exc


def _analyzer_settings(meta: dict) -> dict:
    """The analyzer's settings (without its version), once the index is known to be readable here.

    Another file format, or another version of the language analysis, would give terms that no
    longer match the postings: such an index is refused with "bouw de index opnieuw" rather than
    searched with wrong results."""
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise IndexCorrupt("de woordindex heeft een onbekend formaat; bouw de index opnieuw")
    settings = dict(meta["analyzer"])
    if settings.pop("version") != ANALYZER_VERSION:
        raise IndexCorrupt("de woordindex is met een andere taalanalyse gebouwd; bouw de index opnieuw")
    return settings


def _check_file_sizes(folder: Path, sizes: dict) -> None:
    """Every file the metadata lists is there, with the byte size `save` recorded: a cheap check,
    before any array is opened, that catches a missing or truncated file (an interrupted copy)."""
    for name, size in sizes.items():
        path = folder / name
        if not path.is_file():
            raise IndexCorrupt(f"de woordindex is onvolledig: {name} ontbreekt")
        if path.stat().st_size != size:
            raise IndexCorrupt(f"de woordindex is beschadigd: {name} heeft niet de verwachte grootte")


def _open_arrays(folder: Path, sizes: dict, mmap: bool) -> dict[str, np.ndarray]:
    """The three arrays by key (memory-mapped when `mmap`), each one-dimensional with its own dtype.

    An array file the metadata does not list was never checked by size, so it counts as missing;
    pickles are never loaded, so a .npy file cannot run code."""
    arrays = {}
    for key, (name, dtype) in _ARRAYS.items():
        if name not in sizes:
            raise IndexCorrupt(f"de woordindex is onvolledig: {name} ontbreekt")
        arr = np.load(folder / name, mmap_mode="r" if mmap else None, allow_pickle=False)
        if arr.dtype != dtype or arr.ndim != 1:
            raise IndexCorrupt(f"de woordindex is beschadigd: {name} heeft een verkeerd type")
        arrays[key] = arr
    return arrays


def _check_arrays_fit(arrays: dict[str, np.ndarray], n_terms: int, postings: int) -> None:
    """The arrays fit each other and the counts in the metadata: one indptr entry per term plus
    one, starting at 0, ending at the number of postings and never decreasing. A query slices
    docs and weights by indptr, so anything else would read wrong postings or past the end."""
    indptr = arrays["indptr"]
    if (
        indptr.shape[0] != n_terms + 1
        or arrays["docs"].shape[0] != postings
        or arrays["weights"].shape[0] != postings
        or int(indptr[0]) != 0
        or int(indptr[-1]) != postings
        or (n_terms and bool(np.any(np.diff(indptr) < 0)))
    ):
        raise IndexCorrupt("de woordindex is beschadigd: de bestanden passen niet bij elkaar")


def query_coverage(analyzer: DutchAnalyzer, query: str, df: Callable[[str], int], n_docs: int) -> float:
    """IDF-weighted share of the query's content words that occur in an index, in [0, 1].

    Each distinct content word (stopwords excluded) weighs its idf; a word the
    index never saw weighs the maximum idf and counts as covered for the
    share of its compound parts that the index does know. A query without
    content words gives 0.0 (nothing in it can be found). A function of the
    document frequencies alone, so a backend that keeps them elsewhere
    (index.backends.milvus) gives exactly the same coverage.
    """
    max_idf = float(bm25_idf(0, n_docs))
    total = covered = 0.0
    seen = set()
    for term, parts in analyzer.whole_terms(query):
        if term in seen:
            continue
        seen.add(term)
        count = df(term)
        if count:
            w = float(bm25_idf(count, n_docs))
            covered += w
        else:
            w = max_idf
            if parts:
                covered += w * sum(1 for p in parts if df(p)) / len(parts)
        total += w
    if total <= 0.0 or math.isnan(total):
        return 0.0
    return covered / total

"""Each chunk's similarity to its nearest other chunks: computed at build time, read as hubness per question.

In a space of sentence embeddings some passages lie close to almost every
question: a letter's closing formula, a letterhead, a one-line title, a
general introduction. They come up as "close" to questions they do not
answer, and push the passage that does answer down. This is the hubness of
high-dimensional nearest-neighbour search; its usual remedy is local scaling
(as in CSLS, Conneau et al. 2018): a passage's similarity to a question is
lowered by how similar the passage is to its own neighbourhood (qa.retrieval).

A chunk's neighbourhood is a fact of the index version, not of the question,
so the build computes it once, where every vector is in memory anyway, and
stores the NEIGHBOURS best inner products of every chunk (best first). A
serving process reads a candidate's hubness from that row; it never searches
for neighbours while a person waits.

* A full build finds the neighbours exactly up to EXACT_MAX chunks; beyond,
  among the chunks of the IVF_NPROBE nearest of about 2·√n inverted lists
  (IVF: k-means centroids, each chunk in its nearest list), as exact search of
  every chunk against every other grows with the square. These are the
  neighbours an IVF index's search finds, computed list by list
  (`inverted`): every chunk that probes a list is compared with the list's
  chunks in one matrix product, so each list is read once, not once per
  chunk that probes it.
* An update keeps the rows of unchanged chunks and recomputes only what the
  change touches (`updated`): the new chunks, and the kept chunks that had a
  removed chunk among their nearest. A new chunk that comes closer to a kept
  one than its present neighbours is merged into that row. So an update costs
  (new + removed) × all chunks, not all × all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import faiss
import numpy as np

# The neighbourhood: the k nearest other chunks (docs/quality.md).
NEIGHBOURS = 10
# Up to this many chunks every chunk is compared with every other (20,000: ~5 s on two cores).
EXACT_MAX = 20_000
# Beyond it: about 2·sqrt(n) inverted lists, of which the IVF_NPROBE nearest are scanned per chunk.
# On the bench's synthesized 100,000 chunks, 16 lists find the exact neighbours (hubness correlation 1.000).
IVF_NPROBE = 16
# Training points per inverted list for its k-means (faiss wants at least 39).
IVF_TRAIN_PER_LIST = 40
# Inner products computed in one step, at most: bounds an update's memory (2**26 floats: 256 MB).
BLOCK_VALUES = 2**26
# Rows searched in one step of a full computation (a progress step).
SEARCH_ROWS = 4096
# An update touching more than this share of the chunks recomputes everything.
UPDATE_SHARE_MAX = 0.25
# Inner products from faiss and from numpy may differ in the last bits: a kept chunk whose
# neighbourhood a removed chunk may have been part of is recomputed (never wrongly kept).
TOLERANCE = 1e-5

Notify = Callable[[int, int], None]


@dataclass
class Previous:
    """What an update knows of the version it starts from."""

    scores: np.ndarray  # its neighbour scores, one row per chunk of that version
    rows: np.ndarray  # per chunk of the new version: its row in the old one, -1 when new
    removed: np.ndarray  # the vectors of the old chunks that the new version no longer has

    @classmethod
    def of(cls, scores: np.ndarray, rows: np.ndarray, old_vectors: np.ndarray) -> Previous:
        """From the old version's scores and vectors, and each new chunk's old row (-1: new)."""
        return cls(scores, rows, old_vectors[np.setdiff1d(np.arange(len(old_vectors)), rows[rows >= 0])])


def hubness(scores: np.ndarray) -> np.ndarray:
    """The mean of each row's neighbour scores (padding left out); 0 for a chunk without neighbours."""
    scores = np.asarray(scores, dtype=np.float32).reshape(-1, NEIGHBOURS)
    finite = np.isfinite(scores)
    counts = finite.sum(axis=1)
    sums = np.where(finite, scores, 0.0).sum(axis=1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0).astype(np.float32)


def neighbour_scores(vectors: np.ndarray, previous: Previous | None = None,
                     notify: Notify | None = None) -> np.ndarray:
    """The NEIGHBOURS best inner products of every row with the other rows, best first, -inf padding.

    With `previous`, an update: only what changed is computed (`updated`),
    unless the change touches more than UPDATE_SHARE_MAX of the chunks.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    notify = notify or (lambda done, total: None)
    if previous is not None and len(vectors) and _fits(previous, len(vectors)):
        return updated(vectors, previous, notify)
    return computed(vectors, notify)


def computed(vectors: np.ndarray, notify: Notify) -> np.ndarray:
    """Every row's neighbours: exact up to EXACT_MAX rows, among the nearest inverted lists beyond."""
    n = len(vectors)
    notify(0, n)  # the stage shows before a large corpus' inverted lists are trained
    if n > EXACT_MAX:
        return inverted(vectors, notify)
    scores = np.full((n, NEIGHBOURS), -np.inf, dtype=np.float32)
    if n < 2:
        return scores
    index = _exact_index(vectors)
    k = min(NEIGHBOURS + 1, n)
    for start in range(0, n, SEARCH_ROWS):
        end = min(n, start + SEARCH_ROWS)
        found, ids = index.search(vectors[start:end], k)
        for j in range(end - start):
            scores[start + j] = _others(found[j], ids[j], start + j)
        notify(end, n)
    return scores


def inverted(vectors: np.ndarray, notify: Notify) -> np.ndarray:
    """Every row's neighbours among the rows of its IVF_NPROBE nearest inverted lists.

    An IVF index searched row by row reads each list it probes once per row
    that probes it: at a million rows, terabytes of memory traffic (12 minutes
    on two cores). Here each list is read once: the rows that probe it are
    compared with its rows in blocks of one matrix product each (at most
    BLOCK_VALUES products), and each row keeps its best NEIGHBOURS so far.
    """
    n = len(vectors)
    scores = np.full((n, NEIGHBOURS), -np.inf, dtype=np.float32)
    quantizer = _trained_lists(vectors)
    nlist = quantizer.ntotal
    nprobe = min(IVF_NPROBE, nlist)
    _, probed = quantizer.search(vectors, nprobe)  # per row its nprobe nearest lists, nearest first
    home = probed[:, 0]  # the list a row is stored in
    members, member_bounds = _grouped(home, nlist)
    probes, probe_bounds = _grouped(probed.ravel(), nlist)
    probers_all = probes // nprobe  # the row of each (row, list) pair, grouped by list
    del probed, probes
    done = 0
    for lst in range(nlist):
        own = members[member_bounds[lst]:member_bounds[lst + 1]]  # ascending ids
        probers = probers_all[probe_bounds[lst]:probe_bounds[lst + 1]]
        if len(own) and len(probers):
            own_vectors = vectors[own]
            step = max(1, BLOCK_VALUES // len(own))
            for start in range(0, len(probers), step):
                rows = probers[start:start + step]
                block = vectors[rows] @ own_vectors.T
                at_home = np.flatnonzero(home[rows] == lst)
                block[at_home, np.searchsorted(own, rows[at_home])] = -np.inf  # never its own neighbour
                scores[rows] = _best(np.concatenate([scores[rows], block], axis=1))
        done += len(probers)
        notify(done // nprobe, n)
    return scores


def updated(vectors: np.ndarray, previous: Previous, notify: Notify) -> np.ndarray:
    """The previous rows of kept chunks, corrected for what was removed and added (see the module)."""
    n = len(vectors)
    scores = np.full((n, NEIGHBOURS), -np.inf, dtype=np.float32)
    kept = np.flatnonzero(previous.rows >= 0)
    scores[kept] = previous.scores[previous.rows[kept]]
    recompute = np.flatnonzero(previous.rows < 0)
    if len(previous.removed) and len(kept):
        damaged = _damaged(vectors[kept], scores[kept, -1], previous.removed)
        recompute = np.union1d(recompute, kept[damaged])
    changed = np.zeros(n, dtype=bool)
    changed[recompute] = True
    notify(0, len(recompute))
    step = _block_rows(n)
    for start in range(0, len(recompute), step):
        rows = recompute[start:start + step]
        block = vectors[rows] @ vectors.T  # (rows, n)
        block[np.arange(len(rows)), rows] = -np.inf  # never its own neighbour
        scores[rows] = _best(block)
        _merge(scores, block[previous.rows[rows] < 0], changed)  # only new chunks are new neighbours
        notify(min(start + step, len(recompute)), len(recompute))
    return scores


def _damaged(kept_vectors: np.ndarray, kth: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """Which kept rows may have had a removed chunk among their nearest (its score reached their last)."""
    damaged = np.zeros(len(kept_vectors), dtype=bool)
    step = _block_rows(len(kept_vectors))
    for start in range(0, len(removed), step):
        similar = np.ascontiguousarray(removed[start:start + step], dtype=np.float32) @ kept_vectors.T
        damaged |= (similar >= kth[None, :] - TOLERANCE).any(axis=0)
    return damaged


def _merge(scores: np.ndarray, block: np.ndarray, changed: np.ndarray) -> None:
    """Put the recomputed rows' scores into the kept rows (not `changed`) where they come among the nearest."""
    if not len(block):
        return
    last = np.where(changed, np.inf, scores[:, -1])
    touched = np.flatnonzero((block > last[None, :]).any(axis=0))
    if len(touched):
        merged = np.concatenate([scores[touched], block[:, touched].T], axis=1)
        scores[touched] = _best(merged)


def _best(rows: np.ndarray) -> np.ndarray:
    """The NEIGHBOURS highest values per row, best first, -inf padding."""
    if rows.shape[1] < NEIGHBOURS:
        rows = np.concatenate([rows, np.full((len(rows), NEIGHBOURS - rows.shape[1]), -np.inf, np.float32)], 1)
    top = np.partition(rows, rows.shape[1] - NEIGHBOURS, axis=1)[:, -NEIGHBOURS:]
    return -np.sort(-top, axis=1).astype(np.float32)


def _block_rows(n: int) -> int:
    """How many rows of inner products with `n` vectors fit in BLOCK_VALUES."""
    return max(1, min(1024, BLOCK_VALUES // max(n, 1)))


def _others(found: np.ndarray, ids: np.ndarray, own: int) -> np.ndarray:
    """One row of search results without the chunk itself and padding, as NEIGHBOURS scores."""
    row = np.full(NEIGHBOURS, -np.inf, dtype=np.float32)
    values = found[(ids >= 0) & (ids != own)][:NEIGHBOURS]
    row[:len(values)] = values
    return row


def _fits(previous: Previous, n: int) -> bool:
    """Whether an update is worth doing as one: the previous rows are whole and the change is small."""
    shape_ok = previous.scores.ndim == 2 and previous.scores.shape[1] == NEIGHBOURS
    in_range = len(previous.rows) == n and (previous.rows < len(previous.scores)).all()
    touched = int((previous.rows < 0).sum()) + len(previous.removed)
    return shape_ok and in_range and touched <= UPDATE_SHARE_MAX * n


def _exact_index(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def _trained_lists(vectors: np.ndarray) -> faiss.IndexFlatIP:
    """The centroids of about 2·sqrt(n) inverted lists (k-means by inner product), trained on an even sample."""
    n, dim = vectors.shape
    nlist = max(1, min(round(2 * math.sqrt(n)), n // IVF_TRAIN_PER_LIST))
    quantizer = faiss.IndexFlatIP(dim)  # ours: it outlives the index that trains it
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[np.linspace(0, n - 1, min(n, nlist * IVF_TRAIN_PER_LIST)).astype(np.int64)]
    index.train(np.ascontiguousarray(sample))
    return quantizer


def _grouped(keys: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `keys` grouped by key (ascending within a group), and each key's bounds in them."""
    order = np.argsort(keys, kind="stable")
    return order, np.searchsorted(keys[order], np.arange(count + 1))

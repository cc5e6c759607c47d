"""How much of a hub a chunk is: its mean similarity to its nearest other chunks.

In a space of sentence embeddings some passages lie close to almost every
question: a letter's closing formula, a letterhead, a one-line title, a
general introduction. They come up as "close" to questions they do not
answer, and push the passage that does answer down. This is the hubness of
high-dimensional nearest-neighbour search; its usual remedy is local scaling
(as in CSLS, Conneau et al. 2018): a passage's similarity to a question is
lowered by how similar the passage is to its own neighbourhood. A passage in
a crowded region must be closer to the question to win than one that stands
apart.

A chunk's hubness is a property of the index version, not of the question,
so it is computed once per chunk, on first use, with the version's own
vector search, and kept for the life of the opened version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

# The neighbourhood: the k nearest other chunks (docs/quality.md).
NEIGHBOURS = 10
# Opened versions keep at most this many values; past it they start over.
CACHE_LIMIT = 200_000

# (vectors, k) -> (scores, ids) of the k nearest rows per vector, best first, id -1 padding.
Nearest = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


class Hubness:
    """Each chunk's mean inner product with its NEIGHBOURS nearest other chunks, computed once."""

    def __init__(self, nearest: Nearest, size: int):
        self._nearest = nearest
        self._size = size
        self._known: dict[int, float] = {}
        self._lock = threading.Lock()

    def of(self, ids: list[int], vectors: np.ndarray) -> dict[int, float]:
        """The hubness of chunks `ids`, whose stored vectors are the rows of `vectors`."""
        known = self._known
        missing = [row for row, chunk_id in enumerate(ids) if chunk_id not in known]
        if missing and self._size > 1:
            k = min(NEIGHBOURS + 1, self._size)
            scores, found = self._nearest(np.ascontiguousarray(vectors[missing], dtype=np.float32), k)
            values = {ids[row]: neighbourhood(ids[row], scores[j], found[j]) for j, row in enumerate(missing)}
            with self._lock:
                if len(known) + len(values) > CACHE_LIMIT:
                    known.clear()
                known.update(values)
        return {chunk_id: known.get(chunk_id, 0.0) for chunk_id in ids}


def neighbourhood(chunk_id: int, scores: np.ndarray, ids: np.ndarray) -> float:
    """Mean score of the nearest rows other than the chunk itself (padding left out)."""
    others = [float(s) for s, i in zip(scores, ids) if i >= 0 and int(i) != chunk_id][:NEIGHBOURS]
    return float(np.mean(others)) if others else 0.0

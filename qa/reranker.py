"""An optional second stage: a cross-encoder reads the question and each passage together.

A bi-encoder (the embedding model) compares two vectors made apart; a
cross-encoder sees both texts at once and judges far better whether a passage
answers, at the price of one model call per passage. Vraagbaak ships none: the
package registries it installs from hold no Dutch-capable one. Where one can be
installed, `VRAAGBAAK_RERANKER` (a sentence-transformers CrossEncoder name or
folder) turns the stage on, and `vraagbaak quality` measures what it gives.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np

from index.build import passage_text
from index.embedder import MODEL_THREAD
from index.errors import ModelError

from .retrieval import Hit

_loaded: dict[str, PassageReranker] = {}
_loading = threading.Lock()


class PassageReranker:
    def __init__(self, name: str, *, offline: bool = True):
        from sentence_transformers import CrossEncoder

        try:
            self.model = CrossEncoder(name, device="cpu", local_files_only=offline)
        except Exception as exc:  # a missing folder, a broken config, weights that do not load
            raise ModelError(
                f"De cross-encoder '{name}' (VRAAGBAAK_RERANKER) kan niet worden geladen: {exc}. "
                "Geef een map met een sentence-transformers CrossEncoder, of laat de instelling leeg."
            ) from exc
        self.name = name

    def scores(self, question: str, hits: list[Hit]) -> np.ndarray:
        """How well each passage answers the question, higher is better (the model's own scale)."""
        if not hits:
            return np.zeros(0, dtype=np.float32)
        pairs = [(question, passage_text(hit.chunk)) for hit in hits]
        # On the process's model thread, like the embedding model (index.embedder.ModelThread): one
        # call at a time, and no cold OpenMP team woken by whichever question thread asks.
        predicted = MODEL_THREAD.call(lambda: self.model.predict(pairs, show_progress_bar=False))
        return np.asarray(predicted, dtype=np.float32).reshape(len(hits))

    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]:
        """The hits in the cross-encoder's order (retrieval order breaks ties), ranks renumbered.

        Each hit keeps its retrieval score: answer extraction compares those,
        and a cross-encoder's scores have no fixed scale.
        """
        scores = self.scores(question, hits)
        order = sorted(range(len(hits)), key=lambda i: (-float(scores[i]), i))
        return [replace(hits[i], rank=rank) for rank, i in enumerate(order, 1)]


def load_reranker(name: str, *, offline: bool = True) -> PassageReranker:
    """One model per process, shared by every answerer (a new index version makes a new answerer)."""
    with _loading:
        if name not in _loaded:
            _loaded[name] = PassageReranker(name, offline=offline)
        return _loaded[name]

"""Finds the passages closest to a question in the index."""

from __future__ import annotations

import time
from dataclasses import dataclass

from index.embedder import Embedder
from index.errors import ModelMismatch
from index.store import IndexSnapshot
from index.types import Chunk


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    rank: int  # 1-based


def check_compatible(snapshot: IndexSnapshot, embedder: Embedder) -> None:
    """Vectors from another model live in another space: refuse, don't return noise."""
    built_with = snapshot.manifest.get("model")
    if built_with != embedder.model_id or snapshot.manifest.get("dimension") != embedder.dimension:
        raise ModelMismatch(
            f"De index is gebouwd met model '{built_with}' ({snapshot.manifest.get('dimension')} dimensies), "
            f"maar het ingestelde model is '{embedder.model_id}' ({embedder.dimension} dimensies). "
            "Bouw de index opnieuw met het ingestelde model, of stel het model van de index in."
        )


class DenseRetriever:
    def __init__(self, snapshot: IndexSnapshot, embedder: Embedder):
        check_compatible(snapshot, embedder)
        self.snapshot = snapshot
        self.embedder = embedder

    def search(self, query: str, k: int, timings: dict | None = None) -> list[Hit]:
        started = time.perf_counter()
        vector = self.embedder.encode_queries([query])
        encoded = time.perf_counter()
        scores, ids = self.snapshot.search(vector, k)
        chunk_ids = [int(i) for i in ids[0] if i >= 0]
        chunks = self.snapshot.chunks(chunk_ids)
        done = time.perf_counter()
        if timings is not None:
            timings["embed_ms"] = (encoded - started) * 1000
            timings["search_ms"] = (done - encoded) * 1000
        return [Hit(c, float(s), rank) for rank, (c, s) in enumerate(zip(chunks, scores[0]), 1)]

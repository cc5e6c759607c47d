"""Approximate search on a proximity graph: fast queries, slower builds than IVF."""

from __future__ import annotations

import faiss

from .approximate import TRAIN_MAX, ApproximateIndex

DEFAULT_M = 32
DEFAULT_EF_CONSTRUCTION = 80
DEFAULT_EF_SEARCH = 64


class HNSWIndex(ApproximateIndex):
    kind = "hnsw"

    @classmethod
    def build_params(cls, n: int, params: dict) -> dict:
        return {"m": int(params.get("m") or DEFAULT_M),
                "ef_construction": int(params.get("ef_construction") or DEFAULT_EF_CONSTRUCTION),
                "ef_search": int(params.get("ef_search") or DEFAULT_EF_SEARCH),
                "train_points": TRAIN_MAX}

    @classmethod
    def factory_string(cls, n: int, params: dict) -> str:
        return f"HNSW{params['m']},SQ8"

    @classmethod
    def configure(cls, index: faiss.Index, params: dict) -> None:
        hnsw = faiss.downcast_index(index).hnsw
        hnsw.efSearch = int(params.get("ef_search") or DEFAULT_EF_SEARCH)
        if "ef_construction" in params:
            hnsw.efConstruction = int(params["ef_construction"])

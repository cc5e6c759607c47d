"""Approximate search over inverted lists: only the `nprobe` nearest lists are scanned."""

from __future__ import annotations

import math

import faiss

from .approximate import TRAIN_MAX, TRAIN_POINTS_PER_LIST, ApproximateIndex

DEFAULT_NPROBE = 32


class IVFIndex(ApproximateIndex):
    kind = "ivf"

    @classmethod
    def build_params(cls, n: int, params: dict) -> dict:
        # About 2·sqrt(n) lists: ~1000 vectors per list at a million chunks.
        nlist = int(params.get("nlist") or max(16, min(65536, round(2 * math.sqrt(max(n, 1))))))
        # faiss wants ~39 training points per list; fewer lists for small corpora.
        nlist = max(1, min(nlist, n // 39 or 1))
        return {"nlist": nlist, "nprobe": int(params.get("nprobe") or DEFAULT_NPROBE),
                "train_points": min(TRAIN_MAX, max(nlist * TRAIN_POINTS_PER_LIST, 10_000))}

    @classmethod
    def factory_string(cls, n: int, params: dict) -> str:
        return f"IVF{params['nlist']},SQ8"

    @classmethod
    def configure(cls, index: faiss.Index, params: dict) -> None:
        faiss.extract_index_ivf(index).nprobe = int(params.get("nprobe") or DEFAULT_NPROBE)

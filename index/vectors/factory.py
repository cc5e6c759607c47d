"""Which vector index a corpus gets, and opening the one a manifest names."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import IndexCorrupt, VraagbaakError
from .base import VectorIndex
from .flat import FlatIndex
from .hnsw import HNSWIndex
from .ivf import IVFIndex

KINDS: dict[str, type[VectorIndex]] = {cls.kind: cls for cls in (FlatIndex, IVFIndex, HNSWIndex)}
AUTO = "auto"
# Exact search over 384-dimensional vectors takes ~10 ms per question at
# 100k chunks on two cores and grows linearly; past this the approximate
# index is faster at the same top-10 (docs/performance.md).
DEFAULT_ANN_THRESHOLD = 100_000


def choose_kind(n: int, kind: str = AUTO, threshold: int = DEFAULT_ANN_THRESHOLD) -> str:
    if kind != AUTO:
        if kind not in KINDS:
            raise VraagbaakError(
                f"Onbekend soort vectorindex {kind!r} (VRAAGBAAK_VECTOR_INDEX); kies uit {AUTO}, {', '.join(KINDS)}.")
        return kind
    return "flat" if n < threshold else "ivf"


def create(vectors: np.ndarray, kind: str = AUTO, *, threshold: int = DEFAULT_ANN_THRESHOLD,
           params: dict | None = None) -> VectorIndex:
    chosen = choose_kind(len(vectors), kind, threshold)
    return KINDS[chosen].build(vectors, params or {})


def load(folder: Path, described: dict | None, overrides: dict | None = None) -> VectorIndex:
    """Open the index a manifest describes ({"kind": ..., **params}); indexes before kinds were flat."""
    described = dict(described or {"kind": "flat"})
    kind = described.pop("kind", "flat")
    cls = KINDS.get(kind)
    if cls is None:
        raise IndexCorrupt(f"De index in {folder} gebruikt een onbekend soort vectorindex ({kind!r}).")
    params = {**described, **{k: v for k, v in (overrides or {}).items() if v}}
    return cls.load(folder, params)

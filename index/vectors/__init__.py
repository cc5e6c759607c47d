"""Vector indexes: one small class per FAISS index type, picked by corpus size.

* `flat`  — exact inner-product search over every vector (faiss IndexFlatIP).
* `ivf`   — inverted lists over 8-bit scalar-quantized vectors (IVF…,SQ8).
* `hnsw`  — a navigable small-world graph over 8-bit vectors (HNSW…,SQ8).

The approximate types keep the exact float32 vectors beside them, memory-
mapped, and re-score their candidates with those: the quantized codes only
have to find the neighbours, not order them, so recall and the cosines that
abstention reads stay those of exact search. `create` builds the type that
`choose_kind` picks (exact below `ann_threshold` chunks, `ivf` above), `load`
opens whatever type a manifest records.
"""

from .approximate import EXACT_FILE
from .base import INDEX_FILE, VectorIndex
from .factory import AUTO, DEFAULT_ANN_THRESHOLD, KINDS, choose_kind, create, load

# Every file a vector index may write into a version folder.
FILES = (INDEX_FILE, EXACT_FILE)

__all__ = ["FILES", "KINDS", "VectorIndex", "choose_kind", "create", "load"]

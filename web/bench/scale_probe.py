"""One measurement of part 5 in a fresh process: open an index version, time the retrieval step.

Run by web.bench.scale as `python -m web.bench.scale_probe FOLDER QUERIES.npz`;
prints one JSON line. A fresh process per index, so its peak resident memory
is that of serving this index and nothing else.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

WARMUP = 5


class PrecomputedEmbedder:
    """Gives the retriever the questions' vectors, encoded before: the step is timed without the model."""

    def __init__(self, texts: list[str], vectors: np.ndarray, manifest: dict):
        self._by_text = dict(zip(texts, vectors))
        self.model_id = manifest["model"]
        self.dimension = manifest["dimension"]

    def encode_queries(self, texts):
        return np.stack([self._by_text[t] for t in texts])


def main(folder: Path, queries: Path) -> dict:
    import faiss
    import torch

    # One worker's share of a 2-core machine serving with 2 workers.
    faiss.omp_set_num_threads(1)
    torch.set_num_threads(1)
    from index.backends.local import LocalBackend
    from qa.retrieval import CANDIDATES, Retriever

    # Everything imported: what grows from here is the index and the retrieval step.
    baseline = _rss_mb()
    data = np.load(queries, allow_pickle=True)
    texts, vectors = [str(t) for t in data["texts"]], data["vectors"].astype(np.float32)
    started = time.perf_counter()
    snapshot = LocalBackend(folder)
    open_s = time.perf_counter() - started
    retriever = Retriever(snapshot, PrecomputedEmbedder(texts, vectors, snapshot.manifest))

    dense, lexical, whole, top_ids = [], [], [], []
    for i, (text, vector) in enumerate(zip(texts, vectors)):
        t0 = time.perf_counter()
        _, ids = snapshot.search_dense(vector[None, :], CANDIDATES)
        t1 = time.perf_counter()
        snapshot.search_lexical(text, CANDIDATES)
        t2 = time.perf_counter()
        retriever.search(text, 5)
        t3 = time.perf_counter()
        top_ids.append(ids[0][:10].tolist())
        if i >= WARMUP or len(texts) <= WARMUP:
            dense.append((t1 - t0) * 1000)
            lexical.append((t2 - t1) * 1000)
            whole.append((t3 - t2) * 1000)
    manifest = snapshot.manifest
    return {
        "vector_index": snapshot.vector_index,
        "params": {k: v for k, v in manifest.get("vectors", {}).items() if k != "kind"},
        "build_s": manifest.get("bench_build_s"),
        "lexical_build_s": manifest.get("bench_lexical_build_s"),
        "open_s": open_s,
        "queries": len(whole),
        "dense_p50_ms": float(np.percentile(dense, 50)),
        "dense_p95_ms": float(np.percentile(dense, 95)),
        "lexical_p50_ms": float(np.percentile(lexical, 50)),
        "lexical_p95_ms": float(np.percentile(lexical, 95)),
        "retrieval_p50_ms": float(np.percentile(whole, 50)),
        "retrieval_p95_ms": float(np.percentile(whole, 95)),
        "rss_mb": _rss_mb() - baseline,
        "process_rss_mb": _rss_mb(),
        "disk_mb": sum(p.stat().st_size for p in folder.iterdir()) / 2**20,
        "top_ids": top_ids,
    }


def _rss_mb() -> float:
    """Resident memory now, memory-mapped index pages that were touched included."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
